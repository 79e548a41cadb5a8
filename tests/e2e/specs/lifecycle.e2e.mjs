// A finding's lifecycle through the real window: the next scan of a scope no longer reports a
// finding, so Active Issues leaves it out of the open list, the State filter brings it back, and
// the search box finds it among them, and its details say when and why it was fixed, with its
// history.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { $, $$, browser, expect } from "@wdio/globals";

import { byTestId, cli, launchAgain, openPage, screenshot, waitForApp } from "../support/app.mjs";

function result(rule, file, line) {
  return {
    ruleId: rule,
    level: "error",
    message: { text: `${rule} in ${file}` },
    partialFingerprints: { primaryLocationLineHash: `${rule}:${file}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: line } } }],
  };
}

/** CI writes semgrep.sarif into a new build folder each time. */
function writeScan(build, time, results) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ox-teams-${build}-`));
  const file = path.join(dir, "semgrep.sarif");
  const run = { tool: { driver: { name: "Semgrep", rules: [] } }, invocations: [{ executionSuccessful: true, endTimeUtc: time }], results };
  fs.writeFileSync(file, JSON.stringify({ version: "2.1.0", runs: [run] }));
  return file;
}

function importScan(file) {
  const imported = cli("import", file);
  if (imported.status !== 0) throw new Error(imported.stderr);
  return imported.stdout;
}

describe("Fixed findings", () => {
  before(waitForApp);

  it("leaves a finding the next scan no longer reports out of the open list, and says why", async () => {
    const all = [result("eval", "app/views.py", 42), result("sqli", "app/db.py", 7), result("xss", "app/templates.py", 3)];
    importScan(writeScan("build-1", "2026-11-01T10:00:00Z", all));
    const second = importScan(writeScan("build-2", "2026-11-02T10:00:00Z", all.slice(0, 2)));
    expect(second).toContain("1 fixed");

    await openPage("issues");
    await expect(byTestId("issue-count")).toHaveText("2 issues");
    await expect($$('[data-testid="issue-row"]')).toBeElementsArrayOfSize(2);

    await byTestId("state-filter").click();
    // A multiselect's options are checkboxes.
    const fixedOption = await $('[role="menuitemcheckbox"]=Fixed (1)');
    await fixedOption.waitForDisplayed({ timeout: 10_000 });
    await fixedOption.click();
    await browser.keys("Escape");
    await expect(byTestId("issue-count")).toHaveText("3 of 3 issues");
    const statuses = await $$('[data-testid="issue-status"]').map((badge) => badge.getText());
    expect(statuses.filter((text) => text === "Fixed")).toHaveLength(1);
    await screenshot("issues-with-fixed");

    // The search box finds the fixed finding among every state by its path, a text of two
    // characters in all three, and one of one character in the rule of one. Typed as a person
    // types (WebDriver's clearValue does not reach React's state).
    const search = byTestId("issue-search");
    const type = async (text) => {
      await search.click();
      await browser.keys(["Control", "a"]);
      await browser.keys(["Backspace", ...text]);
    };
    for (const [text, count] of [["TEMPLATES", "1 of 3 issues"], ["py", "3 of 3 issues"], ["x", "1 of 3 issues"], ["templates.py", "1 of 3 issues"]]) {
      await type(text);
      await expect(byTestId("issue-count")).toHaveText(count);
    }
    await browser.waitUntil(async () => (await $$('[data-testid="issue-status"]').map((badge) => badge.getText())).join() === "Fixed", {
      timeout: 10_000,
      timeoutMsg: "the search should show only the fixed finding",
    });
    await screenshot("issues-searched");
    await type("");
    await expect(byTestId("issue-count")).toHaveText("3 of 3 issues");

    const fixed = JSON.parse(cli("--json", "issues", "--state", "fixed").stdout).issues;
    expect(fixed).toHaveLength(1);
    launchAgain(`ox-teams://issues/${fixed[0].id}`);
    await expect(byTestId("issue-detail-status")).toHaveText("Fixed");
    await expect(byTestId("issue-state")).toHaveText(expect.stringMatching(/build-2-.*semgrep\.sarif no longer reports it/));
    await expect(byTestId("issue-history")).toHaveText(expect.stringContaining("First reported"));
    await expect(byTestId("issue-history")).toHaveText(expect.stringContaining("Fixed"));
    await screenshot("issue-fixed");
  });
});
