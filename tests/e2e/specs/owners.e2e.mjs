// Owners and @mentions through the real window: the Owners page reads a repository's CODEOWNERS,
// finds the e-mail owner in the directory and maps a GitHub team to a person picked in the
// directory; the Send dialog then messages the owners of a finding's file and @mentions them in
// the channel post, shows the line Teams draws above the card, and the sandbox receives the post
// with a mention whose <at id> matches.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { $, $$, browser, expect } from "@wdio/globals";

import { byTestId, cli, connectInWindow, openPage, replaceText, sandboxUrl, screenshot, textOf, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";
const TITLE = "Refund total trusted from the client";

/** Ticks a checkbox whose label Fluent lays over it (the input is clicked). */
async function tick(scope, name) {
  const label = await $(scope).$(`label=${name}`);
  await $(`[id="${await label.getAttribute("for")}"]`).click();
}

describe("owners and mentions", () => {
  it("routes a finding to its CODEOWNERS owners and @mentions them in the channel", async () => {
    await waitForApp();
    await connectInWindow(MEGAN, "--for-organization");

    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "ox-teams-owners-"));
    fs.mkdirSync(path.join(repo, ".github"));
    fs.writeFileSync(
      path.join(repo, ".github", "CODEOWNERS"),
      ["*                 @acme/security", "/billing/          adele.vance@contoso.onmicrosoft.com @acme/payments", "!/vendor/"].join("\n") + "\n",
    );
    const scan = path.join(process.env.OX_TEAMS_E2E_HOME, "owners.json");
    fs.writeFileSync(
      scan,
      JSON.stringify({
        format: "ox-teams-issues/1",
        issues: [{ id: "owners-refund", title: TITLE, severity: "high", tool: "Semgrep", rule: "refund-total", path: "billing/refund.py", line: 12 }],
      }),
    );
    const imported = cli("import", scan);
    if (imported.status !== 0) throw new Error(imported.stderr);

    // The Owners page: the file, the owner found in the directory, the line GitHub skips.
    await openPage("owners");
    await replaceText(byTestId("owners-location"), repo);
    await byTestId("owners-use").click();
    await byTestId("owners-table").waitForDisplayed({ timeout: 20_000 });
    expect(await textOf("owners-file")).toContain(path.join(repo, ".github", "CODEOWNERS"));
    expect(await textOf("owners-skipped")).toContain("Line 3: !/vendor/");
    const status = async (owner) => {
      const row = await $(`//*[@data-testid="owner-row"][.//*[text()="${owner}"]]`);
      return row.$('[data-testid="owner-status"]').getText();
    };
    await browser.waitUntil(async () => (await status("adele.vance@contoso.onmicrosoft.com")) === "Adele Vance, found in the directory", {
      timeout: 20_000,
      timeoutMsg: "the e-mail owner was not found in the directory",
    });
    expect(await status("@acme/payments")).toBe("No Teams mapping");

    // Map the team to Alex Wilber, picked in the directory.
    await $(`//*[@data-testid="owner-row"][.//*[text()="@acme/payments"]]//*[@data-testid="owner-map"]`).click();
    await byTestId("tab-people").waitForDisplayed();
    await byTestId("people-search").click();
    await browser.keys("alex".split(""));
    await byTestId("person-option").waitForExist({ timeout: 20_000 });
    await byTestId("person-option").click();
    await expect(byTestId("owner-chosen")).toHaveText("Alex Wilber");
    await byTestId("owner-save").click();
    await browser.waitUntil(async () => (await status("@acme/payments")) === "Mapped to Alex Wilber", {
      timeout: 10_000,
      timeoutMsg: "the mapping was not saved",
    });
    await screenshot("owners");
    // The other way to read the file: through a GitHub source (none here, so it says how).
    await byTestId("owners-way-github").click();
    expect(await textOf("owners-github-use")).toBe("Use this repository");
    await screenshot("owners-github");
    await byTestId("owners-way-folder").click();

    // Who owns the finding's file, as the page's check says.
    await replaceText(byTestId("owners-path"), "billing/refund.py");
    await byTestId("owners-path-check").click();
    await expect(byTestId("owners-path-result")).toHaveText(expect.stringContaining("Line 2: /billing/"), { wait: 10_000 });
    expect(await textOf("owners-path-result")).toContain("@acme/payments → Alex Wilber");

    // Send it to the channel, to the owners, and @mention them there.
    await openPage("issues");
    await byTestId("issue-search").click();
    await browser.keys("Refund total".split(""));
    await browser.waitUntil(async () => (await $$('[data-testid="issue-row"]')).length === 1, { timeout: 10_000 });
    await (await $$('[data-testid="issue-row"]'))[0].click();
    await byTestId("send-to-teams").click();
    await expect(byTestId("send-dialog")).toBeDisplayed();
    await byTestId("team-picker").click();
    await browser.keys("Security".split(""));
    await browser.keys("Enter");
    await tick('[aria-label="Channels"]', "General");
    for (const box of ["owners-message", "owners-mention"]) {
      await byTestId(box).scrollIntoView();
      await byTestId(box).click();
      await expect(byTestId(box)).toBeSelected();
    }
    await expect(byTestId("mention-line")).toHaveText(expect.stringContaining("Adele Vance"), { wait: 20_000 });
    expect(await textOf("mention-line")).toContain("Alex Wilber");
    await expect(byTestId("send-checks")).toHaveText(expect.stringContaining("Owner of billing/refund.py"), { wait: 20_000 });
    // Alex is not in Security Operations: the check says the mention will not notify him.
    expect(await textOf("send-checks")).toContain("Alex Wilber is not a member of Security Operations");
    await byTestId("send-dialog").scrollIntoView();
    await screenshot("send-owners-mentions");
    await browser.waitUntil(async () => (await textOf("send-button")) === "Send to 3", {
      timeout: 10_000,
      timeoutMsg: "the Send button does not count the channel and the two owners",
    });
    await byTestId("send-button").scrollIntoView();
    await byTestId("send-button").click();
    await byTestId("send-results").waitForDisplayed();
    for (const result of await $$('[data-testid="send-result"]')) {
      await expect(result.$('[data-testid="delivery-status"]')).toHaveText("Sent", { wait: 30_000 });
    }

    // The sandbox accepted the channel post only because each <at id> matched its mention.
    const all = await (await fetch(`${sandboxUrl()}/_sandbox/messages`)).json();
    const general = all.channels.find((c) => c.channelName === "General" && c.teamName === "Security Operations");
    const post = general.messages.map((m) => m.message).find((m) => (m.attachments?.[0]?.content ?? "").includes(TITLE));
    expect(post.body.content).toContain('<at id="0">Adele Vance</at>');
    expect(post.body.content).toContain('<at id="1">Alex Wilber</at>');
    expect(post.mentions.map((m) => m.mentionText)).toEqual(["Adele Vance", "Alex Wilber"]);
    const chats = all.chats.filter((c) => c.messages.some((m) => (m.message.attachments?.[0]?.content ?? "").includes(TITLE)));
    expect(chats).toHaveLength(2);

    // Activity says why each owner got it.
    await byTestId("send-done").click();
    await openPage("activity");
    await byTestId("delivery-note").waitForExist({ timeout: 10_000 });
    const notes = await browser.execute(() => [...document.querySelectorAll('[data-testid="delivery-note"]')].map((n) => n.textContent));
    expect(notes).toContain("Owner of billing/refund.py (adele.vance@contoso.onmicrosoft.com).");
    expect(notes).toContain("Owner of billing/refund.py (@acme/payments).");
    await screenshot("activity-owner-notes");
  });
});
