import { browser, expect } from "@wdio/globals";

import { byTestId, byText, launchAgain, screenshot, waitForApp } from "../support/app.mjs";

describe("ox-teams:// links from a second launch", () => {
  before(waitForApp);

  it("opens Settings in the running window, and the second launch exits", async () => {
    await expect(byTestId("page-connectors")).toBeDisplayed();
    const second = launchAgain("ox-teams://settings");
    expect(second.status).toBe(0);
    await expect(byTestId("page-settings")).toBeDisplayed();
    expect(await browser.getWindowHandles()).toHaveLength(1);
  });

  it("opens an issue or a workflow link on its page", async () => {
    launchAgain("ox-teams://issues/CVE-2024-3094");
    await expect(byTestId("missing-issue")).toHaveText(expect.stringContaining("CVE-2024-3094"));
    launchAgain("ox-teams://workflows/nightly%20digest");
    await expect(byTestId("missing-workflow")).toHaveText(expect.stringContaining("nightly digest"));
  });

  it("says why an unknown link cannot be opened and stays on the page", async () => {
    launchAgain("ox-teams://payroll");
    await expect(byText("This link cannot be opened")).toBeDisplayed();
    await expect(byTestId("page-workflows")).toBeDisplayed();
    await screenshot("unknown-link");
  });
});
