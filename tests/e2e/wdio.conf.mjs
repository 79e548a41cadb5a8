// End-to-end suite: the debug app in a real window (WebKitGTK under Xvfb), driven by
// WebdriverIO through tauri-driver. Run it with `make e2e` (tests/e2e/run.sh), which provides
// Xvfb, a private D-Bus session and an unlocked GNOME Keyring.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { appPath, sandboxPath, screenshotDir } from "./support/paths.mjs";

let tauriDriver;
let sandbox;

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

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Kills tauri-driver with WebKitWebDriver and the app it started (one process group). */
async function stopDriver() {
  if (!tauriDriver) return;
  const group = -tauriDriver.pid;
  tauriDriver = undefined;
  try {
    process.kill(group, "SIGKILL");
  } catch {
    return;
  }
  // Wait until the group is gone: a surviving app would keep the single-instance name and
  // swallow the next spec's launch.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(group, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function waitForPort(port, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`${what} did not listen on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
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

  // Each spec file gets its own XDG folders, hence its own data folder, and its own driver on
  // ports nobody else uses.
  async beforeSession(config) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ox-teams-e2e-"));
    for (const [name, folder] of [
      ["XDG_DATA_HOME", "data"],
      ["XDG_CONFIG_HOME", "config"],
      ["XDG_CACHE_HOME", "cache"],
    ]) {
      process.env[name] = path.join(home, folder);
      fs.mkdirSync(process.env[name], { recursive: true });
    }
    delete process.env.OX_TEAMS_DATA_DIR;
    process.env.OX_TEAMS_E2E_HOME = home;
    config.port = await freePort();
    const nativePort = await freePort();
    tauriDriver = spawn(
      "tauri-driver",
      ["--port", String(config.port), "--native-port", String(nativePort)],
      { stdio: ["ignore", "inherit", "inherit"], detached: true },
    );
    await waitForPort(config.port, 20_000, "tauri-driver");
    // tauri-driver forwards the new session to WebKitWebDriver, which it starts alongside: a
    // session asked for before that one listens is refused ("Connection refused").
    await waitForPort(nativePort, 20_000, "WebKitWebDriver");
  },

  async afterSession() {
    await stopDriver();
  },

  async onComplete() {
    await stopDriver();
    sandbox?.kill();
  },
};
