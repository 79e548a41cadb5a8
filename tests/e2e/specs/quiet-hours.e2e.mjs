// Quiet hours through the real window: a workflow that is quiet all day holds a medium finding
// and lets a critical one through; Activity says what is held and until when; turning quiet
// hours off in the editor and running what is due sends one digest of what was held.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { $, browser, expect } from "@wdio/globals";

import { byTestId, cli, connectInWindow, openPage, sandboxUrl, screenshot, textOf, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";
const CHANNEL = "General";
const NAME = "Quiet around the clock";

/** The cards this spec's workflow posted in the channel (other specs share the sandbox). */
async function cards() {
  const all = await (await fetch(`${sandboxUrl()}/_sandbox/messages`)).json();
  const channel = all.channels.find((c) => c.channelName === CHANNEL)?.messages ?? [];
  return channel.map((m) => m.message.attachments?.[0]?.content ?? "").filter((card) => card.includes(NAME));
}

async function untilCards(count, what) {
  await browser.waitUntil(async () => (await cards()).length >= count, { timeout: 45_000, interval: 500, timeoutMsg: what });
  await browser.pause(2500);
  return cards();
}

describe("quiet hours", () => {
  it("holds what is below the bar, says until when, and sends one digest when they end", async () => {
    await waitForApp();
    await connectInWindow(MEGAN, "--for-organization");

    const tenant = await (await fetch(`${sandboxUrl()}/_sandbox/tenant`)).json();
    const team = tenant.teams.find((t) => t.displayName === "Security Operations");
    const general = team.channels.find((c) => c.displayName === CHANNEL);
    const channel = { kind: "channel", team_id: team.id, channel_id: general.id, team_name: team.displayName, channel_name: CHANNEL };
    const definition = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ox-teams-quiet-")), "workflow.json");
    const everyDay = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    fs.writeFileSync(
      definition,
      JSON.stringify({
        name: NAME,
        recipients: [channel],
        fallback: [channel],
        apply_to: "new_or_updated_issues",
        quiet_hours: { days: everyDay, start: "00:00", end: "00:00", time_zone: "UTC", hold_below: "critical" },
      }),
    );
    const added = cli("workflows", "add", definition);
    if (added.status !== 0) throw new Error(added.stderr);
    const workflowId = added.stdout.match(/added workflow (\S+)/)?.[1];

    const scan = path.join(process.env.OX_TEAMS_E2E_HOME, "quiet.json");
    fs.writeFileSync(
      scan,
      JSON.stringify({
        format: "ox-teams-issues/1",
        issues: [
          { id: "quiet-critical", title: "Exposed admin console", severity: "critical", tool: "ZAP", rule: "admin", path: "web/admin.py" },
          { id: "quiet-medium", title: "Missing security headers", severity: "medium", tool: "ZAP", rule: "headers", path: "web/app.py" },
        ],
      }),
    );
    const imported = cli("import", scan);
    if (imported.status !== 0) throw new Error(imported.stderr);
    const first = await untilCards(1, "the critical finding's card did not arrive");
    expect(first).toHaveLength(1);
    expect(first[0]).toContain("Exposed admin console");

    await openPage("activity");
    await byTestId("quiet-holds").waitForDisplayed({ timeout: 20_000 });
    expect(await textOf("quiet-holds")).toContain(`“${NAME}”: 1 finding held until`);
    // Every day, all day: the end is a week away and said with its date.
    expect(await textOf("quiet-holds")).toMatch(/held until \w{3} \d{1,2} \w{3} 00:00 UTC, then one digest to each recipient\./);
    await screenshot("activity-quiet-hours");

    // Quiet hours off in the editor: what was held goes out as one digest.
    await openPage("workflows");
    await $(`//*[@data-testid="workflow-row"]//*[text()="${NAME}"]`).click();
    await byTestId("workflow-quiet-hours").waitForDisplayed();
    await expect(byTestId("quiet-day-sunday")).toHaveAttribute("aria-pressed", "true");
    await expect(byTestId("quiet-time-zone")).toHaveValue("UTC");
    await byTestId("workflow-quiet-hours").scrollIntoView();
    await screenshot("workflow-quiet-hours");
    await byTestId("quiet-hours-switch").click();
    await expect(byTestId("quiet-start")).not.toBeExisting();
    await byTestId("workflow-save").click();
    await browser.waitUntil(async () => !(await byTestId("workflow-editor").isExisting()), {
      timeout: 10_000,
      timeoutMsg: "the editor did not close after Save",
    });
    // The open app runs what is due by itself; the CLI does it now (whichever comes first).
    const due = cli("workflows", "run-due");
    if (due.status !== 0) throw new Error(due.stderr);
    const after = await untilCards(2, "the digest of what was held did not arrive");
    expect(after).toHaveLength(2);
    expect(after[1]).toContain("WORKFLOW DIGEST");
    expect(after[1]).toContain("Missing security headers");
    expect(after[1]).toContain("Held during quiet hours.");

    const history = cli("workflows", "history", workflowId);
    expect(history.stdout).toContain("Quiet hours ended: a digest of 1 held issue to 1 recipient.");
    await openPage("activity");
    await expect(byTestId("quiet-holds")).not.toBeExisting();
  });
});
