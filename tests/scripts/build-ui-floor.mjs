#!/usr/bin/env node
// Usage: build-ui-floor.mjs OUTDIR
// Builds the UI's floors with the UI's own Vite configuration into OUTDIR, beside what is
// there: ui/bench/floor.html (React and Fluent UI's provider with one button: the least a page
// of this UI can load), ui/bench/floor-components.html (the same with the Fluent components the
// first page shows) and ui/bench/floor-page.html (React drawing the app's first page as
// snapshot-page.mjs saved it). bench-ui.mjs weighs the first two; bench-app.sh shows the first
// and the last in the bare Tauri app.
import path from "node:path";

const ui = path.resolve(import.meta.dirname, "../../ui");

export async function buildUiFloor(outDir) {
  const { build } = await import(path.join(ui, "node_modules/vite/dist/node/index.js"));
  await build({
    root: path.join(ui, "bench"),
    configFile: path.join(ui, "vite.config.ts"),
    logLevel: "error",
    build: { outDir, emptyOutDir: false, rollupOptions: { input: ["floor.html", "floor-components.html", "floor-page.html"].map((page) => path.join(ui, "bench", page)) } },
  });
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const [outDir] = process.argv.slice(2);
  if (!outDir) throw new Error("usage: build-ui-floor.mjs OUTDIR");
  await buildUiFloor(path.resolve(outDir));
}
