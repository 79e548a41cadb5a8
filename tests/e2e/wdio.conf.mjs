// End-to-end suite: the debug app in a real window (WebKitGTK under Xvfb), driven by
// WebdriverIO through tauri-driver. Run it with `make e2e` (tests/e2e/run.sh), which provides
// Xvfb, a private D-Bus session and an unlocked GNOME Keyring.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { appPath, sandboxPath, screenshotDir } from "./support/paths.mjs";
import { startTauriDriver, stopTauriDriver } from "./support/driver.mjs";
import { saveWindowScreenshot } from "./support/x-screenshot.mjs";

let tauriDriver;
let sandbox;
const failuresFile = path.join(screenshotDir, "failures.txt");

/** Starts the sandbox (the local Microsoft cloud) and returns its address. */
function startSandbox() {
  return new Promise((resolve, reject) => {
    sandbox = spawn(sandboxPath, ["--port", "0", "--tenant", "small"], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    sandbox.stdout.on("data", (chunk) => {
      output += chunk;
      const match = output.match(/^listening on (\S+)/m);
      if (match) resolve(match[1]);
    });
    sandbox.once("exit", (code) => reject(new Error(`the sandbox exited (${code}) before listening`)));
  });
}

export const config = {
  runner: "local",
  hostname: "127.0.0.1",
  // Each session gets free ports (see beforeSession).
  port: 4444,
  specs: ["./specs/**/*.e2e.mjs"],
  maxInstances: 1,
  capabilities: [{ "tauri:options": { application: appPath } }],
  logLevel: "warn",
  framework: "mocha",
  reporters: ["spec"],
  mochaOpts: { ui: "bdd", timeout: 120_000 },
  waitforTimeout: 15_000,
  connectionRetryCount: 1,

  async onPrepare() {
    for (const binary of [appPath, sandboxPath]) {
      if (!fs.existsSync(binary)) throw new Error(`No ${binary}: build it first (make e2e does).`);
    }
    fs.rmSync(screenshotDir, { recursive: true, force: true });
    fs.mkdirSync(screenshotDir, { recursive: true });
    // Workers start after this and inherit the address.
    process.env.OX_TEAMS_SANDBOX_URL = await startSandbox();
  },

  // Each spec file gets its own XDG folders, hence its own data folder, its own temporary folder
  // (what a spec writes there goes with it), and its own driver on ports nobody else uses.
  async beforeSession(config) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ox-teams-e2e-"));
    for (const [name, folder] of [
      ["XDG_DATA_HOME", "data"],
      ["XDG_CONFIG_HOME", "config"],
      ["XDG_CACHE_HOME", "cache"],
      ["TMPDIR", "tmp"],
    ]) {
      process.env[name] = path.join(home, folder);
      fs.mkdirSync(process.env[name], { recursive: true });
    }
    delete process.env.OX_TEAMS_DATA_DIR;
    process.env.OX_TEAMS_E2E_HOME = home;
    const started = await startTauriDriver();
    tauriDriver = started.driver;
    config.port = started.port;
  },

  // A failed test leaves a picture of the window behind, named after the test, and a line in
  // failures.txt, which onComplete prints last: CI keeps only the tail of the output, and the
  // spec reporter's account of a failure scrolls out of it.
  async afterTest(test, _context, { passed, error }) {
    if (passed) return;
    const name = `failed-${test.parent} ${test.title}`.replace(/[^\w.-]+/g, "-").slice(0, 120);
    const reason = String(error?.message ?? error ?? "no error").split("\n")[0].slice(0, 300);
    fs.appendFileSync(failuresFile, `${path.basename(test.file ?? "?")}: ${test.parent} ${test.title}\n    ${reason}\n`);
    await saveWindowScreenshot(path.join(screenshotDir, `${name}.png`)).catch(() => undefined);
  },

  async afterSession() {
    await stopTauriDriver(tauriDriver);
    tauriDriver = undefined;
    // The spec's data folder goes with it (the app and its keyring have ended).
    if (process.env.OX_TEAMS_E2E_HOME) fs.rmSync(process.env.OX_TEAMS_E2E_HOME, { recursive: true, force: true });
  },

  async onComplete() {
    await stopTauriDriver(tauriDriver);
    tauriDriver = undefined;
    sandbox?.kill();
    if (fs.existsSync(failuresFile)) {
      console.log(`\nFailed tests (screenshots in ${screenshotDir}):\n${fs.readFileSync(failuresFile, "utf8")}`);
    }
  },
};
