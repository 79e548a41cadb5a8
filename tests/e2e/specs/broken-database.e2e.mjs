import fs from "node:fs";
import path from "node:path";

import { browser, expect } from "@wdio/globals";

import { byTestId, dataDir, screenshot, waitForApp } from "../support/app.mjs";

describe("a database that cannot be opened", () => {
  it("gets a screen that says so and where the file is, and the file is left alone", async () => {
    await waitForApp();
    const database = path.join(dataDir(), "ox-teams.sqlite3");
    await browser.deleteSession();
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(database + suffix, { force: true });
    const garbage = Buffer.alloc(8192, "not a database ");
    fs.writeFileSync(database, garbage);

    await browser.reloadSession();
    await expect(byTestId("startup-failure")).toBeDisplayed();
    await expect(browser.$("h1")).toHaveText("OX Teams Connector cannot open its database");
    await expect(byTestId("database-path")).toHaveText(database);
    await screenshot("broken-database");
    expect(fs.readFileSync(database).equals(garbage)).toBe(true);
  });
});
