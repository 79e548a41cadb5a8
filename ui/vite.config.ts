import { createRequire } from "node:module";

import { transformAsync } from "@babel/core";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

import { preloadDynamicImport } from "./build/preloadDynamicImport";

/**
 * Griffel's ahead-of-time step: each `makeStyles` becomes the class names and CSS it resolves to,
 * so the window does not ship Griffel's style compiler (stylis, rtl-css-js) nor run it while the
 * first page draws. Fluent's own components come compiled this way.
 * https://griffel.js.org/react/ahead-of-time-compilation/introduction
 */
// Griffel's own default evaluator (a CommonJS module's default export).
const shaker = createRequire(import.meta.url)("@linaria/shaker").default;

const GRIFFEL_EVALUATION = [
  // Griffel's defaults: our modules are shaken to what the styles use, packages run as they are.
  { action: shaker },
  { test: /[/\\]node_modules[/\\]/, action: "ignore" },
  // Fluent's CommonJS build asks for @swc/helpers, which Node (20.19 and later) resolves to
  // their ES modules; Griffel's evaluator runs CommonJS only, so it gets their CommonJS twins.
  {
    test: /[/\\]@swc[/\\]helpers[/\\]esm[/\\].*\.js$/,
    action: (filename: string) => [
      `module.exports = require(${JSON.stringify(filename.replace(/([/\\])esm([/\\].*)\.js$/, "$1cjs$2.cjs"))});`,
      null,
    ],
  },
];

function griffelAheadOfTime(): Plugin {
  return {
    name: "griffel-ahead-of-time",
    apply: "build",
    async transform(code, id) {
      if (id.includes("/node_modules/") || !/\.tsx?$/.test(id) || !code.includes("makeStyles")) return null;
      const result = await transformAsync(code, {
        filename: id,
        babelrc: false,
        configFile: false,
        presets: [["@griffel/babel-preset", { evaluationRules: GRIFFEL_EVALUATION }]],
        parserOpts: { plugins: ["typescript", "jsx"] },
        sourceMaps: true,
      });
      return result?.code ? { code: result.code, map: result.map } : null;
    },
  };
}

// The app runs in WebKitGTK (Linux), WKWebView (macOS) and WebView2 (Windows).
export default defineConfig({
  plugins: [griffelAheadOfTime(), react(), preloadDynamicImport("/index.html", "/src/app/mount.tsx")],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: ["es2022", "safari16"],
    chunkSizeWarningLimit: 2048,
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // A ceiling for slow, busy machines, not a timing assertion.
    testTimeout: 20000,
  },
});
