// The app as a package installs it: run by tests/scripts/test-packages.sh with OX_TEAMS_APP
// pointing at the binary extracted from the .deb, a fresh data folder, and the version the
// package declares in OX_TEAMS_EXPECT_VERSION.
import { expect } from "@wdio/globals";

import { byTestId, openPage, screenshot, waitForApp } from "../support/app.mjs";

describe("the packaged app", () => {
  before(waitForApp);

  it("opens its window on the connectors page with a fresh data folder", async () => {
    await expect(byTestId("page-connectors")).toBeDisplayed();
    await expect(byTestId("connection-state")).toHaveText("Not connected");
    await screenshot("packaged-connectors");
  });

  it("says the package's version and keeps its data under the person's data folder", async () => {
    await openPage("settings");
    await expect(byTestId("setting-data-dir")).toHaveValue(
      expect.stringContaining(`${process.env.XDG_DATA_HOME}/com.oxteams.connector`),
    );
    await expect($("body")).toHaveText(
      expect.stringContaining(`OX Teams Connector ${process.env.OX_TEAMS_EXPECT_VERSION}`),
    );
    await screenshot("packaged-settings");
  });
});
