#!/usr/bin/env node
// Usage: first-paint.mjs DISPLAY SECONDS START
// Screenshots the X display back to back for SECONDS after START (a Unix time in seconds, when
// the app was launched) and prints how long after START the screen first looked as it does at
// the end: the first screenshot from which on every one differs from the last in under 1 % of
// its 8×8-pixel blocks (a scroll bar fading out or a blinking caret is not a paint).
import { readXwd, takeXwd } from "./xwd.mjs";

const [display, seconds, start] = process.argv.slice(2);
const until = Number(start) + Number(seconds);
const BLOCK = 8;

/** The mean brightness of each 8×8 block of an XWD screenshot. */
function blocks(xwd) {
  const { width, height, offset, red, green, blue } = readXwd(xwd);
  const across = Math.ceil(width / BLOCK);
  const sums = new Float64Array(across * Math.ceil(height / BLOCK));
  for (let y = 0; y < height; y++) {
    const blockRow = Math.floor(y / BLOCK) * across;
    for (let x = 0; x < width; x++) {
      const p = offset(x, y);
      sums[blockRow + Math.floor(x / BLOCK)] += xwd[p + red] + xwd[p + green] + xwd[p + blue];
    }
  }
  return sums.map((s) => s / (BLOCK * BLOCK));
}

const frames = [];
while (Date.now() / 1000 < until) {
  let shot;
  try {
    shot = takeXwd(display);
  } catch {
    continue; // the display is not up yet
  }
  const t = Date.now() / 1000;
  frames.push({ t, blocks: blocks(shot) });
}
const last = frames[frames.length - 1].blocks;
const differs = (b) => b.reduce((n, v, i) => n + (Math.abs(v - last[i]) > 8 ? 1 : 0), 0) / b.length;
let first = frames.length - 1;
while (first > 0 && differs(frames[first - 1].blocks) < 0.01) first--;
console.log((frames[first].t - Number(start)).toFixed(3));
