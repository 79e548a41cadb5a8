#!/usr/bin/env node
// Usage: build-ui-floor.mjs OUTDIR
// Builds ui/bench/floor.html (React and Fluent UI's provider with one button: the least a page
// of this UI can load) with the UI's own Vite configuration into OUTDIR, beside what is there.
// bench-ui.mjs weighs it; bench-app.sh shows it in the bare Tauri app.
import path from "node:path";

const ui = path.resolve(import.meta.dirname, "../../ui");

export async function buildUiFloor(outDir) {
  const { build } = await import(path.join(ui, "node_modules/vite/dist/node/index.js"));
  await build({
    root: path.join(ui, "bench"),
    configFile: path.join(ui, "vite.config.ts"),
    logLevel: "error",
    build: { outDir, emptyOutDir: false, rollupOptions: { input: path.join(ui, "bench/floor.html") } },
  });
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const [outDir] = process.argv.slice(2);
  if (!outDir) throw new Error("usage: build-ui-floor.mjs OUTDIR");
  await buildUiFloor(path.resolve(outDir));
}
