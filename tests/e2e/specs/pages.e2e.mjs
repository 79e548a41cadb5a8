import { expect } from "@wdio/globals";

import { byTestId, openPage, screenshot, waitForApp } from "../support/app.mjs";

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
