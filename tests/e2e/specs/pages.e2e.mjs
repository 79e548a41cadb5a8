import fs from "node:fs";

import { expect } from "@wdio/globals";

import { byTestId, openPage, screenshot, waitForApp } from "../support/app.mjs";
import { appPath } from "../support/paths.mjs";

/** The environment of each web process the app under test started (Linux's /proc). */
function webProcessEnvironments() {
  const app = fs.realpathSync(appPath);
  const exe = (pid) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      return null;
    }
  };
  const children = (pid) =>
    fs.readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean),
    );
  return fs
    .readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid) && exe(pid) === app)
    .flatMap(children)
    .filter((pid) => exe(pid)?.endsWith("/WebKitWebProcess"))
    .map((pid) => fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0"));
}

describe("every page", () => {
  before(waitForApp);

  it("opens on the Microsoft Teams connector, not connected, with the nine permissions", async () => {
    await expect(byTestId("page-connectors")).toBeDisplayed();
    await expect(byTestId("connection-state")).toHaveText("Not connected");
    const rows = await byTestId("permission-scopes").$$("tbody tr");
    expect(rows).toHaveLength(9);
    await expect(byTestId("permission-scopes")).toHaveText(expect.stringContaining("ChannelMessage.Send"));
    await screenshot("connectors");
    await byTestId("method-bot").click();
    await expect(byTestId("teams-connector")).toHaveText(expect.stringContaining("OX Security Alerts"));
    await screenshot("connectors-bot");
  });

  it("runs the page's scripts without JavaScriptCore's optimising JIT, which costs memory for nothing here", () => {
    const environments = webProcessEnvironments();
    expect(environments.length).toBeGreaterThan(0);
    for (const environment of environments) expect(environment).toContain("JSC_useDFGJIT=false");
  });

  it("shows honest empty states on Active Issues, Workflows and Activity", async () => {
    for (const [page, empty, text] of [
      ["issues", "issues-empty", "No active issues yet"],
      ["workflows", "workflows-empty", "No workflows yet"],
      ["activity", "activity-empty", "Nothing has been sent yet"],
    ]) {
      await openPage(page);
      await expect(byTestId(empty)).toHaveText(expect.stringContaining(text));
      await screenshot(page);
    }
  });

  it("shows Settings with the data folder and the keychain", async () => {
    await openPage("settings");
    await expect(byTestId("setting-data-dir")).toHaveValue(
      expect.stringContaining("com.oxteams.connector"),
    );
    await expect(byTestId("keychain-status")).toHaveText(
      expect.stringContaining("Secrets stay in the OS keychain"),
    );
    await screenshot("settings");
  });
});
