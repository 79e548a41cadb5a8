// tauri-driver, started and stopped: by the end-to-end suite for each spec, and by make bench
// (tests/scripts/snapshot-page.mjs) to read the app's first page.
import { spawn } from "node:child_process";
import net from "node:net";

/** Starts tauri-driver (and the WebKitWebDriver it starts) on free ports, in a process group of
 * its own; resolves once both listen, with the driver and the port to ask for sessions on. */
export async function startTauriDriver() {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  await waitForPort(port, 20_000, "tauri-driver");
  // tauri-driver forwards the new session to WebKitWebDriver, which it starts alongside: a
  // session asked for before that one listens is refused ("Connection refused").
  await waitForPort(nativePort, 20_000, "WebKitWebDriver");
  return { driver, port };
}

/** Kills tauri-driver with WebKitWebDriver and the app it started (one process group). */
export async function stopTauriDriver(driver) {
  if (!driver) return;
  const group = -driver.pid;
  try {
    process.kill(group, "SIGKILL");
  } catch {
    return;
  }
  // Wait until the group is gone: a surviving app would keep the single-instance name and
  // swallow the next launch.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(group, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
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

/** Resolves once something listens on `port`; rejects after `timeoutMs`. */
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
