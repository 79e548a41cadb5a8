import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The app runs in WebKitGTK (Linux), WKWebView (macOS) and WebView2 (Windows).
export default defineConfig({
  plugins: [react()],
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
