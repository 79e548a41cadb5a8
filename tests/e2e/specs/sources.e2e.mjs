import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { browser, expect } from "@wdio/globals";

import { byTestId, cli, connectInWindow, openPage, replaceText, sandboxUrl, screenshot, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";
const ADELE = "adele.vance@contoso.onmicrosoft.com";
const TEAM = "Application Security";
const CHANNEL = "Secrets";
const SARIF = path.resolve(import.meta.dirname, "../../fixtures/sarif/semgrep-generated.sarif");
const SHELL = "target.python-subprocess-shell-true";
// The sandbox is shared by every spec: this one has a repository of its own.
const REPO = "e2e-sources/portal";

const textOf = (testId) =>
  browser.execute((id) => [...document.querySelectorAll(`[data-testid="${id}"]`)].map((e) => e.textContent).join(" | "), testId);

/** The messages in this spec's channel. */
async function channelMessages() {
  const all = await (await fetch(`${sandboxUrl()}/_sandbox/messages`)).json();
  return all.channels.find((c) => c.teamName === TEAM && c.channelName === CHANNEL)?.messages ?? [];
}

async function untilMessages(count, why) {
  let messages = [];
  await browser.waitUntil(
    async () => {
      messages = await channelMessages();
      return messages.length >= count;
    },
    { timeout: 60_000, interval: 500, timeoutMsg: why },
  );
  return messages;
}

/** Semgrep's report with some results' messages changed, as a later scan would write it. */
function semgrepReport(changes = {}) {
  const sarif = JSON.parse(fs.readFileSync(SARIF, "utf8"));
  for (const result of sarif.runs[0].results) {
    if (changes[result.ruleId]) result.message.text = changes[result.ruleId];
  }
  return JSON.stringify(sarif, null, 2);
}

async function github(pathname, body) {
  const response = await fetch(`${sandboxUrl()}/_sandbox/github/${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox github ${pathname}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

describe("sources", () => {
  it("imports a report written into a watched folder and a workflow sends it, with nobody clicking Import", async () => {
    await waitForApp();
    await connectInWindow(MEGAN, "--for-organization");

    const tenant = await (await fetch(`${sandboxUrl()}/_sandbox/tenant`)).json();
    const team = tenant.teams.find((t) => t.displayName === TEAM);
    const secrets = team.channels.find((c) => c.displayName === CHANNEL);
    const adele = tenant.users.find((u) => u.upn === ADELE);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ox-teams-sources-"));
    const definition = path.join(home, "workflow.json");
    fs.writeFileSync(
      definition,
      JSON.stringify({
        name: "High findings from CI",
        conditions: { min_severity: "high" },
        recipients: [{ kind: "channel", team_id: team.id, channel_id: secrets.id, team_name: TEAM, channel_name: CHANNEL }],
        fallback: [{ kind: "person", user_id: adele.id, name: adele.displayName, mail: adele.upn }],
        apply_to: "new_or_updated_issues",
      }),
    );
    const added = cli("workflows", "add", definition);
    if (added.status !== 0) throw new Error(added.stderr);

    // CI writes into this folder; the app is told about it once.
    const reports = path.join(home, "ci-reports");
    fs.mkdirSync(reports);
    const watched = cli("sources", "add", "folder", reports);
    if (watched.status !== 0) throw new Error(watched.stderr);
    await openPage("sources");
    await expect(byTestId("source")).toHaveText(expect.stringContaining("ci-reports"), { wait: 15_000 });
    // Give the poller its first look (it starts watching the folder then).
    await expect(byTestId("source-last-check")).not.toHaveText("not yet", { wait: 20_000 });

    fs.writeFileSync(path.join(reports, "semgrep.sarif"), semgrepReport());
    const first = await untilMessages(2, "the workflow's cards did not arrive after the report was written");
    expect(first).toHaveLength(2);
    await expect(byTestId("source-found")).toHaveText(expect.stringContaining("3 new"), { wait: 15_000 });
    await screenshot("sources");

    // A newer report: only the changed finding is sent, as a reply in its thread.
    fs.writeFileSync(path.join(reports, "semgrep.sarif"), semgrepReport({ [SHELL]: "subprocess call with shell=True; now reachable from the API" }));
    const second = await untilMessages(3, "the changed finding was not sent");
    await browser.pause(2500);
    const now = await channelMessages();
    expect(now).toHaveLength(3);
    expect(second[2].replyToId).toBeTruthy();
    await expect(byTestId("source-found")).toHaveText(expect.stringContaining("1 updated"), { wait: 15_000 });
  });

  it("reads GitHub's alerts and follows a dismissal there", async () => {
    const critical = await github("alerts", { repo: REPO, kind: "code_scanning", severity: "critical", rule: "js/sql-injection", path: "src/db.js", line: 12 });
    await github("alerts", { repo: REPO, kind: "code_scanning", severity: "high", rule: "js/xss", path: "src/view.js", line: 40 });

    await openPage("sources");
    await byTestId("add-github").click();
    await replaceText(byTestId("github-url"), `${sandboxUrl()}/github`);
    await replaceText(byTestId("github-repos"), REPO);
    await replaceText(byTestId("github-token"), "ghp_not_a_token");
    await byTestId("github-add").click();
    await expect(byTestId("github-problem")).toHaveText(expect.stringContaining("GitHub refused the token"), { wait: 15_000 });
    await replaceText(byTestId("github-token"), "ghp_sandbox_demo_token");
    await byTestId("github-add").click();
    await expect(byTestId("sources-notice")).toHaveText(expect.stringContaining(`Added GitHub 127.0.0.1 · ${REPO}`), { wait: 15_000 });
    await browser.waitUntil(async () => (await textOf("source-found")).includes("2 new"), {
      timeout: 30_000,
      timeoutMsg: "the GitHub source found nothing",
    });
    expect(await textOf("source")).not.toContain("ghp_sandbox_demo_token");
    await screenshot("sources-github");

    // Dismissed on GitHub: suppressed here at the next check.
    await github(`repos/${REPO}/code-scanning/${critical.number}/dismiss`, { reason: "false positive" });
    const cards = await browser.$$('[data-testid="check-source"]');
    await cards[cards.length - 1].click();
    await browser.waitUntil(async () => (await textOf("source-found")).includes("1 suppressed"), {
      timeout: 30_000,
      timeoutMsg: "the dismissal was not followed",
    });
    const suppressed = JSON.parse(cli("--json", "issues", "--state", "suppressed").stdout).issues;
    expect(suppressed.map((i) => i.link)).toContain(critical.html_url);
  });
});
