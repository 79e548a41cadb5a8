#!/usr/bin/env node
// Usage: snapshot-page.mjs APP OUT.html
// Starts APP through tauri-driver, waits until its first page has settled, and saves that page as
// static HTML: its DOM without scripts, and every CSS rule in effect (Fluent's styles live only
// in the style sheets' rules). The bare Tauri app showing it (bench-app.sh) is the floor of the
// app's first paint and memory without any JavaScript: what painting that page alone costs.
// Run inside Xvfb and a D-Bus session, with the XDG folders pointing where the app may write.
import fs from "node:fs";

import { startTauriDriver, stopTauriDriver } from "../e2e/support/driver.mjs";

const [app, out] = process.argv.slice(2);
if (!app || !out) throw new Error("usage: snapshot-page.mjs APP OUT.html");

const { driver, port } = await startTauriDriver();
const base = `http://127.0.0.1:${port}`;
async function ask(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(answer.value)}`);
  return answer.value;
}
const run = (script) => ask("POST", `/session/${session}/execute/sync`, { script, args: [] });

let session;
try {
  ({ sessionId: session } = await ask("POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application: app } } },
  }));
  // Settled: the first page is up and the same for a second (bench-app.sh's screenshots settle
  // the same way).
  let last = "";
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await run("return document.querySelector('main') ? document.body.innerHTML : ''");
    if (now !== "" && now === last) break;
    last = now;
  }
  const { html, css } = await run(`
    const css = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules].map((rule) => rule.cssText)).join("\\n");
    const page = document.documentElement.cloneNode(true);
    page.querySelectorAll("script, link").forEach((element) => element.remove());
    return { html: page.outerHTML, css };`);
  fs.writeFileSync(out, `<!doctype html>\n${html.replace("</head>", `<style>${css}</style></head>`)}`);
  console.log(`snapshot-page: the first page saved as ${out} (${Math.round(html.length / 1024)} KB of HTML, ${Math.round(css.length / 1024)} KB of CSS)`);
} finally {
  if (session) await ask("DELETE", `/session/${session}`).catch(() => {});
  await stopTauriDriver(driver);
}
