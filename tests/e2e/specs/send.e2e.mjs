import path from "node:path";

import { $, $$, browser, expect } from "@wdio/globals";

import { byTestId, chooseRecipientTab, chooseTeam, cli, openPage, replaceText, sandboxUrl, screenshot, textOf, useSandbox, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";
const COMMENT = "Please take this one today — it is reachable from the login page.";
const SARIF = path.resolve(import.meta.dirname, "../../fixtures/sarif/semgrep-generated.sarif");

/** Every message the sandbox holds, with where it was posted. */
async function sandboxMessages() {
  const all = await (await fetch(`${sandboxUrl()}/_sandbox/messages`)).json();
  return ["channels", "chats"].flatMap((kind) =>
    all[kind].flatMap((place) => place.messages.map((m) => ({ kind, place, message: m.message ?? m }))),
  );
}

/** Ticks a channel's checkbox (Fluent lays the input over its label, so the input is clicked). */
async function chooseChannel(name) {
  const label = await $('[aria-label="Channels"]').$(`label=${name}`);
  await $(`[id="${await label.getAttribute("for")}"]`).click();
}

describe("sending an issue to Teams, against the sandbox", () => {
  let before;

  it("imports findings and connects", async () => {
    await waitForApp();
    useSandbox(MEGAN, "--for-organization");
    const imported = cli("import", SARIF);
    if (imported.status !== 0) throw new Error(imported.stderr);
    await openPage("settings");
    await openPage("connectors");
    await byTestId("connect").click();
    await expect(byTestId("connection-state")).toHaveText("Connected", { wait: 30_000 });
    // Other specs share the sandbox: remember what is there, by message id.
    before = new Set((await sandboxMessages()).map((m) => m.message.id));
  });

  it("lists the issues and shows everything about one", async () => {
    await openPage("issues");
    await byTestId("issue-row").waitForDisplayed({ timeout: 10_000 });
    const rows = await $$('[data-testid="issue-row"]');
    expect(rows.length).toBeGreaterThan(0);
    await expect(byTestId("issue-count")).toHaveText(expect.stringMatching(/^\d+ issues$/));
    // As the guide says: right-click an issue and choose "Send message to Teams".
    // (WebKitWebDriver sends no right button, so the row gets the contextmenu event itself.)
    await browser.execute((row) => {
      const box = row.getBoundingClientRect();
      const at = { bubbles: true, cancelable: true, button: 2, clientX: box.x + 40, clientY: box.y + 10 };
      row.dispatchEvent(new MouseEvent("contextmenu", at));
    }, rows[1]);
    await byTestId("menu-send").click();
    await expect(byTestId("send-dialog")).toBeDisplayed();
    expect(await textOf("send-about")).toContain(await rows[1].$('[role="cell"]:nth-child(2)').getText());
    await $('[data-testid="send-dialog"]').$("button=Cancel").click();
    await expect(byTestId("send-dialog")).not.toBeDisplayed();

    await rows[0].click();
    await expect(byTestId("issue-detail")).toBeDisplayed();
    await screenshot("issues");
  });

  it("sends it to a channel and a person with a comment, and each recipient shows sent", async () => {
    const title = await byTestId("issue-detail-title").getText();
    await byTestId("send-to-teams").click();
    await expect(byTestId("send-dialog")).toBeDisplayed();
    await screenshot("send-dialog-open");

    await chooseTeam("Security Operations");
    await chooseChannel("General");

    await chooseRecipientTab("people");
    // WebKitWebDriver cannot send keys to a search input element; type as a person does.
    await byTestId("people-search").click();
    await browser.keys("adele".split(""));
    await expect(byTestId("people-search")).toHaveValue("adele");
    await byTestId("person-option").click();
    await replaceText(byTestId("send-comment"), COMMENT);

    await expect(byTestId("chosen-recipients")).toHaveText(expect.stringContaining("Security Operations › General"));
    await expect(byTestId("chosen-recipients")).toHaveText(expect.stringContaining("Adele Vance"));
    await expect(byTestId("send-checks")).toHaveText(expect.stringContaining("Adele Vance can be reached."), { wait: 20_000 });
    // Microsoft's renderer drew the card with the comment (the preview follows the last change
    // a moment later; the reachability checks above may come from an earlier one).
    await browser.waitUntil(async () => (await textOf("card-preview")).includes(`Comment from Megan Bowen${COMMENT}`), {
      timeout: 20_000,
      timeoutMsg: "the preview never showed the comment",
    });
    await expect(byTestId("send-button")).toBeEnabled();
    await screenshot("send-dialog");

    await byTestId("send-button").click();
    await byTestId("send-results").waitForDisplayed();
    const results = await $$('[data-testid="send-result"]');
    expect(results).toHaveLength(2);
    for (const result of results) {
      await expect(result.$('[data-testid="delivery-status"]')).toHaveText("Sent", { wait: 30_000 });
    }
    await screenshot("send-results");
    expect(await textOf("send-done")).toBe("Done");

    // The sandbox holds exactly those two messages, each with the card and the comment.
    const added = (await sandboxMessages()).filter((m) => !before.has(m.message.id));
    expect(added).toHaveLength(2);
    expect(added.map((m) => m.kind).sort()).toEqual(["channels", "chats"]);
    for (const { message } of added) {
      const card = JSON.parse(message.attachments[0].content);
      expect(card.version).toBe("1.5");
      expect(JSON.stringify(card)).toContain(COMMENT);
      expect(JSON.stringify(card)).toContain(title.slice(0, 20));
    }
    await byTestId("send-done").click();
    // The detail pane now shows the conversation in each place.
    await byTestId("issue-conversations").waitForDisplayed();
    await screenshot("issue-sent");
    expect(await textOf("issue-conversations")).toContain("Adele Vance");
    expect(await textOf("issue-conversations")).toContain("Security Operations › General");
    expect(await textOf("issue-conversations")).toContain("Posted");
  });

  it("shows both deliveries as sent in Activity", async () => {
    await openPage("activity");
    await byTestId("delivery-row").waitForDisplayed({ timeout: 10_000 });
    const rows = await $$('[data-testid="delivery-row"]');
    expect(rows).toHaveLength(2);
    for (const row of rows) await expect(row).toHaveAttribute("data-status", "sent");
    await expect(byTestId("deliveries")).toHaveText(expect.stringContaining("Open in Teams"));
    await screenshot("activity");
  });

  it("fails clearly for a channel deleted after it was picked, and Activity offers to resend", async () => {
    await openPage("issues");
    await byTestId("issue-row").waitForDisplayed({ timeout: 10_000 });
    await (await $$('[data-testid="issue-row"]'))[0].click();
    await byTestId("send-to-teams").click();
    await chooseTeam("Security Operations");
    await chooseChannel("General");
    await expect(byTestId("send-checks")).toHaveText(expect.stringContaining("can be reached"), { wait: 20_000 });

    const tenant = await (await fetch(`${sandboxUrl()}/_sandbox/tenant`)).json();
    const team = tenant.teams.find((t) => t.displayName === "Security Operations");
    const channel = team.channels.find((c) => c.displayName === "General");
    const deleted = await fetch(`${sandboxUrl()}/_sandbox/teams/${team.id}/channels/${encodeURIComponent(channel.id)}`, {
      method: "DELETE",
    });
    expect(deleted.ok).toBe(true);
    // Any change runs the check again; it now finds the channel gone.
    await replaceText(byTestId("send-comment"), "Second try");
    await expect(byTestId("send-checks")).toHaveText(expect.stringContaining("no longer exists"), { wait: 20_000 });
    await screenshot("send-check-problem");

    await byTestId("send-button").click();
    await byTestId("send-results").waitForDisplayed();
    const result = await byTestId("send-result");
    await expect(result.$('[data-testid="delivery-status"]')).toHaveText("Failed", { wait: 30_000 });
    expect(await textOf("send-result")).toContain("The channel “General” in Security Operations no longer exists");
    await byTestId("send-done").click();

    await openPage("activity");
    const failed = await $('[data-testid="delivery-row"][data-status="failed"]');
    await expect(failed).toHaveText(expect.stringContaining("no longer exists"));
    await expect(failed.$('[data-testid="resend"]')).toBeDisplayed();
    await screenshot("activity-failed");
  });
});
