// Living messages through the real window: a finding goes to a channel and a person; a re-scan
// that changes it adds exactly one reply in the channel thread and edits the chat's card in
// place (same message id, no new top-level message); a re-scan without it says "Fixed" in both
// places and in the app; a reaction added in the sandbox shows on the finding.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { $$, browser, expect } from "@wdio/globals";

import { byTestId, cli, connectInWindow, launchAgain, sandboxUrl, screenshot, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";
const ADELE = "adele.vance@contoso.onmicrosoft.com";
const CHANNEL = "General";

/** A scan in OX Teams' own format: the finding (when given) and an informational one. */
function importScan(severity) {
  const issues = [{ id: "info-1", title: "Verbose logging", severity: "info", tool: "Semgrep", rule: "logging", path: "app/log.py", line: 1 }];
  if (severity) {
    issues.push({
      id: "sqli-1",
      title: "SQL injection in the search route",
      severity,
      tool: "Semgrep",
      rule: "python.sqli",
      path: "app/search.py",
      line: severity === "critical" ? 40 : 12,
      description: "User input reaches a raw SQL query.",
    });
  }
  const file = path.join(process.env.OX_TEAMS_E2E_HOME, "scan.json");
  fs.writeFileSync(file, JSON.stringify({ format: "ox-teams-issues/1", issues }));
  const imported = cli("import", file);
  if (imported.status !== 0) throw new Error(imported.stderr);
}

/** The channel's messages and Adele's chat's, as the sandbox holds them. */
async function held() {
  const all = await (await fetch(`${sandboxUrl()}/_sandbox/messages`)).json();
  const channel = all.channels.find((c) => c.channelName === CHANNEL)?.messages ?? [];
  // Megan's one-on-one chat with Adele (other specs share the sandbox and may chat with her too).
  const chat =
    all.chats.find((c) => c.members.length === 2 && c.members.includes(ADELE) && c.members.includes(MEGAN))?.messages ?? [];
  return { channel, chat };
}

async function until(check, what) {
  let last = null;
  await browser.waitUntil(
    async () => {
      last = await held();
      return check(last);
    },
    { timeout: 45_000, interval: 500, timeoutMsg: what },
  );
  // Nothing more arrives a moment later.
  await browser.pause(2500);
  return held();
}

const cardOf = (stored) => stored.message.attachments[0]?.content ?? "";

describe("living messages", () => {
  it("follows a finding's first message in the channel thread and the chat card, up to its fix", async () => {
    await waitForApp();
    // Megan is an administrator: she consents for the organisation (two permissions need it).
    await connectInWindow(MEGAN, "--for-organization");

    // The recipients as the pickers would give them, from the sandbox's directory.
    const tenant = await (await fetch(`${sandboxUrl()}/_sandbox/tenant`)).json();
    const team = tenant.teams.find((t) => t.displayName === "Security Operations");
    const general = team.channels.find((c) => c.displayName === CHANNEL);
    const adele = tenant.users.find((u) => u.upn === ADELE);
    const channel = { kind: "channel", team_id: team.id, channel_id: general.id, team_name: team.displayName, channel_name: CHANNEL };
    const person = { kind: "person", user_id: adele.id, name: adele.displayName, mail: adele.upn };
    const definition = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ox-teams-wf-")), "workflow.json");
    fs.writeFileSync(
      definition,
      JSON.stringify({
        name: "High and worse, followed",
        conditions: { min_severity: "high" },
        recipients: [channel, person],
        fallback: [person],
        apply_to: "new_or_updated_issues",
        on_change: "follow",
        announce_fixes: true,
      }),
    );
    const added = cli("workflows", "add", definition);
    if (added.status !== 0) throw new Error(added.stderr);

    importScan("high");
    const first = await until(({ channel, chat }) => channel.length === 1 && chat.length === 1, "the first messages did not arrive");
    const root = first.channel[0].id;
    const card = first.chat[0].id;

    // Adele reacts to the card; the app reads it back.
    const reacted = await fetch(`${sandboxUrl()}/_sandbox/messages/${card}/reactions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: ADELE, reaction: "like" }),
    });
    expect(reacted.ok).toBe(true);
    launchAgain("ox-teams://issues/sqli-1");
    await byTestId("issue-detail").waitForDisplayed({ timeout: 15_000 });
    await byTestId("check-answers").click();
    await expect(byTestId("conversation-answer")).toHaveText(expect.stringContaining("👍 Adele Vance"), { wait: 15_000 });
    await expect(byTestId("issue-acknowledged-by")).toHaveText(expect.stringContaining("Acknowledged by Adele Vance"));

    // Worse and moved: one reply in the thread, the chat's card edited in place.
    importScan("critical");
    const changed = await until(
      ({ channel, chat }) => channel.length === 2 && chat[0]?.message.lastEditedDateTime,
      "the change was not followed",
    );
    expect(changed.channel).toHaveLength(2);
    expect(changed.channel[1].replyToId).toBe(root);
    expect(cardOf(changed.channel[1])).toContain("Severity high → critical");
    expect(changed.chat).toHaveLength(1);
    expect(changed.chat[0].id).toBe(card);
    expect(cardOf(changed.chat[0])).toContain("CRITICAL");

    // The next scan no longer reports it: "Fixed" in both places and in the app.
    importScan(null);
    const fixed = await until(
      ({ channel, chat }) => channel.length === 3 && cardOf(chat[0]).includes("FIXED"),
      "the fix was not announced",
    );
    expect(fixed.channel[2].replyToId).toBe(root);
    expect(cardOf(fixed.channel[2])).toContain("FIXED");
    expect(fixed.chat).toHaveLength(1);

    launchAgain("ox-teams://issues/sqli-1");
    await expect(byTestId("issue-detail-status")).toHaveText("Fixed", { wait: 15_000 });
    await browser.waitUntil(async () => (await $$('[data-testid="conversation-step"]').length) === 6, {
      timeout: 15_000,
      timeoutMsg: "the details did not show both conversations' three steps",
    });
    const steps = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="conversation"]')].map((c) => c.textContent),
    );
    expect(steps.join("\n")).toContain("Replied in the thread");
    expect(steps.join("\n")).toContain("Updated the card");
    await screenshot("issue-conversations");
  });
});
