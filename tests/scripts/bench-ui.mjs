#!/usr/bin/env node
// The JavaScript the window loads before its first page shows: ui/dist/index.html's module
// script and the chunks Vite preloads with it (its static imports). Pages and the card renderer
// loaded later are not counted. The floors are ui/bench/floor.html (React and Fluent UI's
// provider with one button) and ui/bench/floor-components.html (the same with one of each
// Fluent component the first page shows), built with the same Vite configuration. Prints
// `figure` lines for bench-table.mjs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

import { buildUiFloor } from "./build-ui-floor.mjs";

const ui = path.resolve(import.meta.dirname, "../../ui");
const dist = path.join(ui, "dist");

/** The JavaScript an HTML page of a build loads up front: its module scripts and preloads. */
function firstPage(dir, page) {
  const html = fs.readFileSync(path.join(dir, page), "utf8");
  const scripts = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1]);
  let raw = 0;
  let gzip = 0;
  for (const script of new Set(scripts)) {
    const bytes = fs.readFileSync(path.join(dir, script.replace(/^\//, "")));
    raw += bytes.length;
    gzip += zlib.gzipSync(bytes, { level: 9 }).length;
  }
  return { scripts: scripts.length, raw, gzip };
}

const floorDir = fs.mkdtempSync(path.join(os.tmpdir(), "ox-teams-ui-floor-"));
await buildUiFloor(floorDir);
const floor = firstPage(floorDir, "floor.html");
const components = firstPage(floorDir, "floor-components.html");
fs.rmSync(floorDir, { recursive: true, force: true });
const { scripts, raw, gzip } = firstPage(dist, "index.html");
const all = fs
  .readdirSync(path.join(dist, "assets"))
  .filter((f) => f.endsWith(".js"))
  .reduce((sum, f) => sum + fs.statSync(path.join(dist, "assets", f)).size, 0);
const kb = (n) => Math.round(n / 1024);
console.log(
  `first page: ${scripts} scripts, ${kb(raw)} KB (${kb(gzip)} KB gzip); all JavaScript ${kb(all)} KB; ` +
    `floor (React + Fluent provider + a button): ${kb(floor.raw)} KB (${kb(floor.gzip)} KB gzip); ` +
    `the same with the Fluent components the first page shows: ${kb(components.raw)} KB (${kb(components.gzip)} KB gzip)`,
);
console.log(
  `figure ${JSON.stringify({
    measure: "UI JavaScript loaded for the first page",
    value: kb(raw),
    unit: "KB",
    floor: kb(components.raw),
    floor_what: "React, Fluent UI's provider and the Fluent components the first page shows, without the app's code",
    target: { kind: "at_most", value: 400 },
  })}`,
);
