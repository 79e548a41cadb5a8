// Screenshots of the window as the X display shows it, saved as PNG. WebDriver's Take
// Screenshot asks WebKit to paint the page again into a picture; where the window paints
// without compositing (no GPU, src-tauri/src/webkit.rs) that request can go unanswered, and it
// never shows what lies outside the page anyway.
import fs from "node:fs";

import { browser } from "@wdio/globals";

import { takeXwd, xwdToPng } from "../../scripts/xwd.mjs";

/** Saves the app's window as the display shows it. */
export async function saveWindowScreenshot(file) {
  const display = process.env.DISPLAY;
  if (!display) throw new Error("no DISPLAY to take a screenshot of");
  fs.writeFileSync(file, xwdToPng(takeXwd(display), await browser.getWindowRect()));
}
