import fs from "node:fs";
import path from "node:path";

import { $, $$, browser, expect } from "@wdio/globals";

import { byTestId, chooseRecipientTab, chooseTeam, cli, connectInWindow, openPage, replaceText, sandboxUrl, screenshot, textOf, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";
const TEAM = "Platform Engineering";
const CHANNEL = "Cloud Security";

/** Every message the sandbox holds in a channel or chat, with where it was posted. */
async function sandboxMessages() {
  const all = await (await fetch(`${sandboxUrl()}/_sandbox/messages`)).json();
  return ["channels", "chats"].flatMap((kind) =>
    all[kind].flatMap((place) =>
      place.messages.map((m) => ({ kind, place: place.channelName ?? place.members?.join(", "), message: m.message ?? m })),
    ),
  );
}

/** Waits until the sandbox holds `count` messages that were not there before. */
async function newMessages(before, count) {
  let added = [];
  await browser.waitUntil(
    async () => {
      added = (await sandboxMessages()).filter((m) => !before.has(m.message.id));
      return added.length >= count;
    },
    { timeout: 40_000, interval: 500, timeoutMsg: `expected ${count} new messages in the sandbox` },
  );
  // Nothing more arrives a moment later.
  await browser.pause(2500);
  return (await sandboxMessages()).filter((m) => !before.has(m.message.id));
}

const ids = async () => new Set((await sandboxMessages()).map((m) => m.message.id));

const SARIF = path.resolve(import.meta.dirname, "../../fixtures/sarif/semgrep-generated.sarif");

/** Imports Semgrep's SARIF report (two errors, one warning) with some results' messages
 * changed, as a later scan would report them. */
function importScan(changes = {}) {
  const sarif = JSON.parse(fs.readFileSync(SARIF, "utf8"));
  for (const result of sarif.runs[0].results) {
    if (changes[result.ruleId]) result.message.text = changes[result.ruleId];
  }
  const file = path.join(process.env.OX_TEAMS_E2E_HOME, "semgrep.sarif");
  fs.writeFileSync(file, JSON.stringify(sarif));
  const imported = cli("import", file);
  if (imported.status !== 0) throw new Error(imported.stderr);
}

const SHELL = "target.python-subprocess-shell-true";
const EVAL = "target.js-eval";

async function search(box, text) {
  await box.click();
  await browser.keys(text.split(""));
  await expect(box).toHaveValue(text);
}

describe("workflows, against the sandbox", () => {
  it("connects and creates a workflow in the editor", async () => {
    await waitForApp();
    await connectInWindow(MEGAN, "--for-organization");

    await openPage("workflows");
    await byTestId("new-workflow").click();
    await byTestId("workflow-editor").waitForDisplayed();
    await byTestId("workflow-save").click();
    expect(await textOf("workflow-editor")).toContain("Choose at least one fallback recipient.");

    await replaceText(byTestId("workflow-name"), "High and worse to Cloud Security");
    await byTestId("workflow-severity").click();
    await $('[role="option"]=High or worse').click();
    const recipients = await byTestId("workflow-recipients");
    await chooseTeam(TEAM, recipients);
    await (await recipients.$(`label=${CHANNEL}`)).waitForDisplayed({ timeout: 20_000 });
    // In this tall dialog WebKitWebDriver's click lands on the team picker above the list; the
    // checkbox gets the click event itself.
    const chose = await browser.execute((name) => {
      const root = document.querySelector('[data-testid="workflow-recipients"]');
      const label = [...root.querySelectorAll("label")].find((l) => l.textContent.trim() === name);
      document.getElementById(label?.htmlFor ?? "")?.click();
      return [...root.querySelectorAll("label")].map((l) => l.textContent.trim()).join("|");
    }, CHANNEL);
    expect(chose).toContain(CHANNEL);
    const fallback = await byTestId("workflow-fallback");
    await chooseRecipientTab("people", fallback);
    await search(await fallback.$('[data-testid="people-search"]'), "alex");
    await (await fallback.$('[data-testid="person-option"]')).click();
    expect(await textOf("workflow-recipients-chosen")).toContain(`${TEAM} › ${CHANNEL}`);
    expect(await textOf("workflow-fallback-chosen")).toContain("Alex Wilber");
    await screenshot("workflow-editor");
    await byTestId("workflow-save").click();
    // Asked again each time: the editor leaves the page, and a handle to it would go stale.
    await browser.waitUntil(async () => !(await byTestId("workflow-editor").isExisting()), {
      timeout: 10_000,
      timeoutMsg: "the editor did not close after SAVE",
    });
    // The list reloads once the save has answered.
    await byTestId("workflow-row").waitForDisplayed({ timeout: 10_000 });
    const rows = await $$('[data-testid="workflow-row"]');
    expect(rows).toHaveLength(1);
    const row = await browser.execute((el) => el.textContent, rows[0]);
    expect(row).toContain("High and worse to Cloud Security");
    expect(row).toContain("New or Updated Issues");
    expect(row).toContain("Alex Wilber");
    await screenshot("workflows");
  });

  it("sends the high issues of a SARIF import to the channel, then only the updated one", async () => {
    let before = await ids();
    importScan();
    const first = await newMessages(before, 2);
    expect(first.map((m) => m.place)).toEqual([CHANNEL, CHANNEL]);
    const titles = first.map((m) => JSON.parse(m.message.attachments[0].content).body[0].items[1].text).sort();
    expect(titles).toEqual(["eval of request data", "subprocess call with shell=True; command injection risk"]);
    expect(first[0].message.attachments[0].content).toContain("ox-teams://workflows/");
    // The Workflows page counts what the workflow matches now: the two new high findings.
    await openPage("activity");
    await openPage("workflows");
    await browser.waitUntil(async () => (await textOf("workflow-matches")) === "2", {
      timeout: 10_000,
      timeoutMsg: "the workflow's 'Matches now' did not say 2",
    });

    before = await ids();
    importScan({ [SHELL]: "subprocess call with shell=True; now reachable from the API" });
    const second = await newMessages(before, 1);
    expect(second).toHaveLength(1);
    expect(second[0].message.attachments[0].content).toContain("now reachable from the API");
    expect(second[0].message.attachments[0].content).toContain("revision 2");
  });

  it("sends to the fallback person when the channel is gone, and says so", async () => {
    const tenant = await (await fetch(`${sandboxUrl()}/_sandbox/tenant`)).json();
    const team = tenant.teams.find((t) => t.displayName === TEAM);
    const channel = team.channels.find((c) => c.displayName === CHANNEL);
    const deleted = await fetch(`${sandboxUrl()}/_sandbox/teams/${team.id}/channels/${encodeURIComponent(channel.id)}`, {
      method: "DELETE",
    });
    expect(deleted.ok).toBe(true);
    const before = await ids();
    importScan({ [SHELL]: "subprocess call with shell=True; now reachable from the API", [EVAL]: "eval of request data, also in the admin routes" });
    const fallback = await newMessages(before, 1);
    expect(fallback).toHaveLength(1);
    expect(fallback[0].kind).toBe("chats");
    expect(fallback[0].place).toContain("alex.wilber@contoso.onmicrosoft.com");
    expect(fallback[0].message.attachments[0].content).toContain("also in the admin routes");

    await openPage("activity");
    const failed = await $('[data-testid="delivery-row"][data-status="failed"]');
    await expect(failed).toHaveText(expect.stringContaining("Sent to the fallback recipients instead: Alex Wilber."));
    await screenshot("workflow-fallback-activity");

    await openPage("workflows");
    await byTestId("workflow-history").click();
    await byTestId("workflow-runs").waitForDisplayed();
    expect(await textOf("workflow-runs")).toContain("sent to Alex Wilber instead");
    await screenshot("workflow-history");
  });
});
