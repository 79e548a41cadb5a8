#!/usr/bin/env node
// Usage: first-paint.mjs DISPLAY SECONDS START
// Screenshots the X display back to back for SECONDS after START (a Unix time in seconds, when
// the app was launched) and prints how long after START the screen first looked as it does at
// the end: the first screenshot from which on every one differs from the last in under 1 % of
// its 8×8-pixel blocks (a scroll bar fading out or a blinking caret is not a paint).
import { spawnSync } from "node:child_process";

const [display, seconds, start] = process.argv.slice(2);
const until = Number(start) + Number(seconds);
const BLOCK = 8;

/** The mean brightness of each 8×8 block of an XWD screenshot (24 or 32 bits per pixel). */
function blocks(xwd) {
  const header = xwd.readUInt32BE(0);
  const width = xwd.readUInt32BE(16);
  const height = xwd.readUInt32BE(20);
  const bitsPerPixel = xwd.readUInt32BE(44);
  const bytesPerLine = xwd.readUInt32BE(48);
  const colors = xwd.readUInt32BE(76);
  if (bitsPerPixel !== 24 && bitsPerPixel !== 32) throw new Error(`first-paint: ${bitsPerPixel} bits per pixel; run Xvfb at depth 24`);
  const bytesPerPixel = bitsPerPixel / 8;
  const data = header + colors * 12;
  const across = Math.ceil(width / BLOCK);
  const sums = new Float64Array(across * Math.ceil(height / BLOCK));
  for (let y = 0; y < height; y++) {
    const row = data + y * bytesPerLine;
    const blockRow = Math.floor(y / BLOCK) * across;
    for (let x = 0; x < width; x++) {
      const p = row + x * bytesPerPixel;
      sums[blockRow + Math.floor(x / BLOCK)] += xwd[p] + xwd[p + 1] + xwd[p + 2];
    }
  }
  return sums.map((s) => s / (BLOCK * BLOCK));
}

const frames = [];
while (Date.now() / 1000 < until) {
  const shot = spawnSync("xwd", ["-root", "-silent", "-display", display], { maxBuffer: 64 << 20 });
  const t = Date.now() / 1000;
  if (shot.status === 0) frames.push({ t, blocks: blocks(shot.stdout) });
}
const last = frames[frames.length - 1].blocks;
const differs = (b) => b.reduce((n, v, i) => n + (Math.abs(v - last[i]) > 8 ? 1 : 0), 0) / b.length;
let first = frames.length - 1;
while (first > 0 && differs(frames[first - 1].blocks) < 0.01) first--;
console.log((frames[first].t - Number(start)).toFixed(3));
