// Screenshots of an X display (xwd, from x11-apps) read without ImageMagick: the first-paint
// bench compares them, the end-to-end suite saves them as PNG.
import { spawnSync } from "node:child_process";
import zlib from "node:zlib";

/** The whole of `display` as an XWD image, taken now. */
export function takeXwd(display) {
  const shot = spawnSync("xwd", ["-root", "-silent", "-display", display], { maxBuffer: 64 << 20, timeout: 20_000 });
  if (shot.error) throw shot.error;
  if (shot.status !== 0) throw new Error(`xwd failed on ${display}: ${shot.stderr}`);
  return shot.stdout;
}

/** An XWD image's size and layout: a pixel's red, green and blue bytes are at
 * `offset(x, y) + red`, `+ green` and `+ blue` of the image. */
export function readXwd(xwd) {
  const header = xwd.readUInt32BE(0);
  const lsbFirst = xwd.readUInt32BE(28) === 0;
  const bitsPerPixel = xwd.readUInt32BE(44);
  const bytesPerLine = xwd.readUInt32BE(48);
  const colors = xwd.readUInt32BE(76);
  if (bitsPerPixel !== 24 && bitsPerPixel !== 32) throw new Error(`xwd: ${bitsPerPixel} bits per pixel; run Xvfb at depth 24`);
  const bytesPerPixel = bitsPerPixel / 8;
  const data = header + colors * 12;
  const [red, green, blue] = lsbFirst ? [2, 1, 0] : [bytesPerPixel - 3, bytesPerPixel - 2, bytesPerPixel - 1];
  return {
    width: xwd.readUInt32BE(16),
    height: xwd.readUInt32BE(20),
    offset: (x, y) => data + y * bytesPerLine + x * bytesPerPixel,
    red,
    green,
    blue,
  };
}

/** The `rect` part ({x, y, width, height}; all if none) of an XWD image, as an RGB PNG. */
export function xwdToPng(xwd, rect) {
  const image = readXwd(xwd);
  const left = clamp(rect?.x ?? 0, image.width - 1);
  const top = clamp(rect?.y ?? 0, image.height - 1);
  const width = Math.min(image.width - left, Math.round(rect?.width ?? image.width));
  const height = Math.min(image.height - top, Math.round(rect?.height ?? image.height));
  const stride = 1 + width * 3; // each row starts with its filter byte (0: none)
  const raw = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = image.offset(left + x, top + y);
      const to = y * stride + 1 + x * 3;
      raw[to] = xwd[from + image.red];
      raw[to + 1] = xwd[from + image.green];
      raw[to + 2] = xwd[from + image.blue];
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits a channel, RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlib.deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

const clamp = (value, max) => Math.max(0, Math.min(max, Math.round(value)));

function pngChunk(type, body) {
  const typed = Buffer.concat([Buffer.from(type, "ascii"), body]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
