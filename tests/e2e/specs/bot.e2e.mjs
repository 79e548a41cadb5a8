import fs from "node:fs";
import path from "node:path";

import { $, $$, browser, expect } from "@wdio/globals";

import { byTestId, chooseRecipientTab, chooseTeam, cli, openPage, replaceText, sandboxControl, sandboxUrl, screenshot, textOf, useSandbox, waitForApp } from "../support/app.mjs";

const SARIF = path.resolve(import.meta.dirname, "../../fixtures/sarif/semgrep-generated.sarif");
/** The sandbox's own bot secret (printed at its start; it means nothing anywhere else). */
const BOT_SECRET = "sandbox-bot-secret";

/** Types into a search box as a person does (WebKitWebDriver cannot send keys to it). */
async function search(box, text) {
  await box.click();
  await browser.keys(text.split(""));
  await expect(box).toHaveValue(text);
}

async function chooseChannel(name) {
  const label = await $('[aria-label="Channels"]').$(`label=${name}`);
  await $(`[id="${await label.getAttribute("for")}"]`).click();
}

/** What the bot posted in the sandbox: personal chats by person, channel posts by channel. */
async function botMessages() {
  const all = await (await fetch(`${sandboxUrl()}/_sandbox/messages`)).json();
  const personal = all.bot.flatMap((chat) => chat.messages.map((m) => ({ to: chat.user, message: m })));
  const channels = all.channels.flatMap((channel) =>
    channel.messages.filter((m) => m.via === "bot").map((m) => ({ to: `${channel.teamName} › ${channel.channelName}`, message: m })),
  );
  return [...personal, ...channels];
}

describe("the bot identity provider, against the sandbox", () => {
  let tenant;

  it("connects the bot: admin consent in the browser, then what was verified", async () => {
    await waitForApp();
    tenant = await (await fetch(`${sandboxUrl()}/_sandbox/tenant`)).json();
    const admin = tenant.users.find((u) => u.admin).upn;
    useSandbox(admin);
    // Settings changed behind the window's back: open the page again so it reads them.
    await openPage("settings");
    await openPage("connectors");
    await byTestId("method-bot").click();
    await expect(byTestId("bot-state")).toHaveText("Not connected");
    await replaceText(byTestId("bot-app-id"), tenant.bot.appId);
    await replaceText(byTestId("bot-tenant"), tenant.id);
    await replaceText(byTestId("bot-secret"), BOT_SECRET);
    await screenshot("bot-setup");
    await byTestId("bot-connect").click();
    await expect(byTestId("bot-state")).toHaveText("Connected", { wait: 30_000 });
    await expect(byTestId("bot-secret-state")).toHaveText("Set");
    // The secret went to the keychain; the field is empty again and the page never shows it.
    await expect(byTestId("bot-secret")).toHaveValue("");
    expect(await browser.execute(() => document.body.innerHTML.includes("sandbox-bot-secret"))).toBe(false);
    const checks = await textOf("bot-checks");
    for (const check of ["Microsoft Graph token", "Directory", "Teams.", "Published to the organisation as “OX Security Alerts”", "Bot Connector token"]) {
      expect(checks).toContain(check);
    }
    await screenshot("bot-connected");
  });

  it("saves the Teams app package and checks who has the app", async () => {
    // The desktop's Downloads folder, as XDG names it, private to this spec.
    const downloads = path.join(process.env.OX_TEAMS_E2E_HOME, "downloads");
    fs.writeFileSync(path.join(process.env.XDG_CONFIG_HOME, "user-dirs.dirs"), `XDG_DOWNLOAD_DIR="${downloads}"\n`);
    fs.mkdirSync(downloads, { recursive: true });
    await byTestId("save-package").click();
    await byTestId("package-saved").waitForDisplayed({ timeout: 10_000 });
    const saved = await byTestId("package-path").getText();
    expect(saved).toBe(path.join(downloads, "ox-security-alerts-teams-app.zip"));
    const zip = fs.readFileSync(saved);
    expect(zip.subarray(0, 4).toString("hex")).toBe("504b0304");
    for (const name of ["manifest.json", "color.png", "outline.png"]) expect(zip.includes(name)).toBe(true);
    expect(zip.toString("latin1")).toContain(`"botId": "${tenant.bot.appId}"`);

    const coverage = await byTestId("app-coverage");
    await search(await coverage.$('[data-testid="people-search"]'), "adele");
    await (await coverage.$('[data-testid="person-option"]')).click();
    await byTestId("check-coverage").click();
    await expect(byTestId("coverage-summary")).toHaveText("Installed for 1 of 1 recipient", { wait: 20_000 });
    await byTestId("publish-app").scrollIntoView();
    await screenshot("bot-publish");
  });

  it("sends an issue as the bot to a person and a channel", async () => {
    const imported = cli("import", SARIF);
    if (imported.status !== 0) throw new Error(imported.stderr);
    const before = new Set((await botMessages()).map((m) => m.message.id));
    await openPage("issues");
    await byTestId("issue-row").waitForDisplayed({ timeout: 10_000 });
    await (await $$('[data-testid="issue-row"]'))[0].click();
    const title = await byTestId("issue-detail-title").getText();
    await byTestId("send-to-teams").click();
    await expect(byTestId("send-dialog")).toBeDisplayed();
    // Nobody is signed in, so the bot sends; chats are not offered.
    await byTestId("send-as").waitForExist({ timeout: 10_000 });
    expect(await textOf("send-as")).toContain("OX Security Alerts (bot)");
    const botChosen = await browser.execute(() => {
      const radio = document.querySelector('[data-testid="send-as-bot"]');
      return (radio?.matches("input") ? radio : radio?.querySelector("input"))?.checked;
    });
    expect(botChosen).toBe(true);
    await expect(byTestId("tab-chats")).not.toBeExisting();

    await chooseTeam("Application Security");
    await chooseChannel("General");
    await chooseRecipientTab("people");
    await search(byTestId("people-search"), "adele");
    await byTestId("person-option").click();
    await expect(byTestId("send-checks")).toHaveText(expect.stringContaining("Adele Vance can be reached."), { wait: 20_000 });
    await expect(byTestId("send-checks")).toHaveText(expect.stringContaining("Application Security › General can be reached."));
    await screenshot("bot-send-dialog");
    await byTestId("send-button").click();
    await byTestId("send-results").waitForDisplayed();
    const results = await $$('[data-testid="send-result"]');
    expect(results).toHaveLength(2);
    for (const result of results) {
      await expect(result.$('[data-testid="delivery-status"]')).toHaveText("Sent", { wait: 30_000 });
    }
    expect(await textOf("send-results")).toContain("Delivered by OX Security Alerts.");
    await screenshot("bot-send-results");

    const added = (await botMessages()).filter((m) => !before.has(m.message.id));
    expect(added.map((m) => m.to).sort()).toEqual(["Application Security › General", "adele.vance@contoso.onmicrosoft.com"]);
    for (const { message } of added) {
      expect(message.sender).toBe("OX Security Alerts");
      const card = JSON.parse(message.message.attachments[0].content);
      expect(card.version).toBe("1.5");
      expect(JSON.stringify(card)).toContain(title.slice(0, 20));
      expect(JSON.stringify(card)).toContain("ox-teams://issues/");
    }
    await byTestId("send-done").click();
  });

  it("says clearly when the app is not installed for the person", async () => {
    await sandboxControl("users/adele.vance@contoso.onmicrosoft.com/uninstall-app");
    await byTestId("send-to-teams").click();
    await chooseRecipientTab("people");
    await search(byTestId("people-search"), "adele");
    await byTestId("person-option").click();
    await expect(byTestId("send-checks")).toHaveText(expect.stringContaining("OX Security Alerts is not installed for Adele Vance"), {
      wait: 20_000,
    });
    await byTestId("send-button").click();
    const result = await byTestId("send-result");
    await expect(result.$('[data-testid="delivery-status"]')).toHaveText("Failed", { wait: 30_000 });
    expect(await textOf("send-result")).toContain("OX Security Alerts is not installed for Adele Vance");
    await screenshot("bot-not-installed");
    await byTestId("send-done").click();

    await openPage("activity");
    const failed = await $('[data-testid="delivery-row"][data-status="failed"]');
    await expect(failed).toHaveText(expect.stringContaining("not installed for Adele Vance"));
  });
});
