import { spawnSync } from "node:child_process";
import path from "node:path";

import { browser, expect } from "@wdio/globals";

import { byTestId, byText, cli, dataDir, openPage, replaceText, screenshot, waitForApp } from "../support/app.mjs";

/** Writes a setting straight into the database, as someone editing the file would. */
function editDatabase(key, value) {
  const script = "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); " +
    "db.execute('UPDATE settings SET value = ? WHERE key = ?', (sys.argv[3], sys.argv[2])); db.commit()";
  const result = spawnSync("python3", ["-c", script, path.join(dataDir(), "ox-teams.sqlite3"), key, value], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
}

describe("settings", () => {
  before(waitForApp);

  it("explains a wrong value next to its field and saves nothing", async () => {
    await openPage("settings");
    await replaceText(await byTestId("setting-tenant"), "contoso");
    await expect(byText("is neither a tenant ID nor a domain")).toBeDisplayed();
    await byTestId("settings-save").click();
    await expect(byTestId("settings-failed")).toHaveText(expect.stringContaining("Nothing was saved"));
    await screenshot("settings-invalid");
  });

  it("keeps a saved change across a restart, and the CLI sees it", async () => {
    await replaceText(await byTestId("setting-tenant"), "contoso.onmicrosoft.com");
    await replaceText(await byTestId("setting-client-id"), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    await byTestId("setting-cloud").selectByAttribute("value", "gcchigh");
    await expect(byTestId("cloud-endpoints")).toHaveText(expect.stringContaining("graph.microsoft.us"));
    await byTestId("settings-save").click();
    await expect(byTestId("settings-saved")).toHaveText("Settings saved.");

    await browser.reloadSession();
    await waitForApp();
    await expect(byTestId("connection-settings")).toHaveText(
      expect.stringContaining("contoso.onmicrosoft.com"),
    );
    await openPage("settings");
    await expect(byTestId("setting-tenant")).toHaveValue("contoso.onmicrosoft.com");
    await expect(byTestId("setting-client-id")).toHaveValue("3fa85f64-5717-4562-b3fc-2c963f66afa6");
    await expect(byTestId("setting-cloud")).toHaveValue("gcchigh");

    const shown = cli("--json", "config", "show");
    expect(shown.status).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view.settings.tenant).toBe("contoso.onmicrosoft.com");
    expect(view.endpoints.graph).toBe("https://graph.microsoft.us");
  });

  it("picks up a change the CLI made while the app was closed", async () => {
    const set = cli("config", "set", "tenant", "fabrikam.onmicrosoft.com");
    expect(set.stderr).toBe("");
    expect(set.status).toBe(0);
    await browser.reloadSession();
    await waitForApp();
    await openPage("settings");
    await expect(byTestId("setting-tenant")).toHaveValue("fabrikam.onmicrosoft.com");
  });

  it("does not use a value edited into the database that it would refuse, and says so", async () => {
    expect(cli("config", "set", "authority-url", "http://127.0.0.1:9").status).toBe(0);
    expect(cli("config", "set", "graph-url", "http://127.0.0.1:9").status).toBe(0);
    expect(cli("config", "set", "cloud", "custom").status).toBe(0);
    editDatabase("authority-url", "http://login.attacker.example");
    await browser.reloadSession();
    await waitForApp();
    await openPage("settings");
    await expect(byTestId("settings-refused")).toHaveText(expect.stringContaining("Some saved settings are not used"));
    await expect(byText("Plain http:// is allowed only for this computer")).toBeDisplayed();
    await expect(byTestId("setting-authority-url")).toHaveValue("");
    await screenshot("settings-refused");
    // What the CLI prints is what the app uses.
    const shown = JSON.parse(cli("--json", "config", "show").stdout);
    expect(shown.settings.authority_url).toBe("");
    expect(shown.refused.map((problem) => problem.field)).toEqual(["authority_url"]);
  });
});
