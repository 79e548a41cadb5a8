#!/usr/bin/env node
// Usage: first-paint.mjs FRAMEBUFFER SECONDS START
// Reads the screen Xvfb maps to FRAMEBUFFER (an XWD file; Xvfb -fbdir) every few milliseconds for
// SECONDS after START (a Unix time in seconds, when the app was launched) and prints how long
// after START the screen first looked as it does at the end: the first frame from which on every
// one differs from the last in under 1 % of its 8×8-pixel blocks (a scroll bar fading out or a
// blinking caret is not a paint).
//
// Why the mapped file and not screenshots: asking the X server for the screen (xwd) takes about
// 60 ms of a process and of the server's time per frame, so screenshots back to back kept one of
// this machine's two cores from the app being timed, and the frames came 70 ms apart. Reading
// the file takes about 1 ms; with the pause below this watcher takes under a fifth of a core.
import { readFileSync } from "node:fs";
import { readXwd } from "./xwd.mjs";

const [framebuffer, seconds, start] = process.argv.slice(2);
const until = Number(start) + Number(seconds);
const BLOCK = 8;
// Every other pixel of every other row: a block's mean from 16 of its 64 pixels still moves
// with any paint, at a quarter of the work.
const STEP = 2;
const PAUSE_MS = 10;

/** The mean brightness of each 8×8 block of an XWD image. */
function blocks(xwd) {
  const { width, height, offset, red, green, blue } = readXwd(xwd);
  const across = Math.ceil(width / BLOCK);
  const sums = new Float32Array(across * Math.ceil(height / BLOCK));
  for (let y = 0; y < height; y += STEP) {
    const blockRow = Math.floor(y / BLOCK) * across;
    for (let x = 0; x < width; x += STEP) {
      const p = offset(x, y);
      sums[blockRow + Math.floor(x / BLOCK)] += xwd[p + red] + xwd[p + green] + xwd[p + blue];
    }
  }
  return sums.map((s) => (s * STEP * STEP) / (BLOCK * BLOCK));
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const frames = [];
while (Date.now() / 1000 < until) {
  const t = Date.now() / 1000;
  frames.push({ t, blocks: blocks(readFileSync(framebuffer)) });
  Atomics.wait(pause, 0, 0, PAUSE_MS);
}
const last = frames[frames.length - 1].blocks;
const differs = (b) => b.reduce((n, v, i) => n + (Math.abs(v - last[i]) > 8 ? 1 : 0), 0) / b.length;
let first = frames.length - 1;
while (first > 0 && differs(frames[first - 1].blocks) < 0.01) first--;
console.log((frames[first].t - Number(start)).toFixed(3));
