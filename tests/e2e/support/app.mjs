// Helpers shared by the specs.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { $, browser, expect } from "@wdio/globals";

import { appPath, cliPath, screenshotDir, signInScript } from "./paths.mjs";
import { saveWindowScreenshot } from "./x-screenshot.mjs";

export const byTestId = (id) => $(`[data-testid="${id}"]`);

/** The element whose own text contains `text`. */
export const byText = (text) => $(`//*[text()[contains(., ${JSON.stringify(text)})]]`);

/** Waits for the app to finish starting: the navigation is there. */
export async function waitForApp() {
  await byTestId("nav-connectors").waitForDisplayed({ timeout: 30_000 });
}

export async function openPage(page) {
  await byTestId(`nav-${page}`).click();
  await byTestId(`page-${page}`).waitForDisplayed();
  // Pages other than the first load their code when first opened.
  await browser.waitUntil(async () => !(await byTestId("page-loading").isExisting()), {
    timeout: 10_000,
    timeoutMsg: `the ${page} page did not finish loading`,
  });
}

/** Replaces an input's text the way a person does (select all, type), so React sees it. */
export async function replaceText(element, text) {
  await element.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await element.addValue(text);
  await expect(element).toHaveValue(text);
}

/**
 * Chooses a team in a team picker (inside `within` when given). A click that lands while the
 * dialog is still settling does not open the list, so the picker is clicked until it does.
 */
export async function chooseTeam(name, within = browser) {
  const picker = () => within.$('[data-testid="team-picker"]');
  const option = () => $('[role="listbox"]').$(`[role="option"]=${name}`);
  await browser.waitUntil(
    async () => {
      if (!(await $('[role="listbox"]').isDisplayed())) await (await picker()).click();
      // The list comes from Microsoft Teams: the bot's lists every team in the organisation.
      return (await option()).isDisplayed();
    },
    { timeout: 20_000, interval: 500, timeoutMsg: `the team picker did not offer ${name}` },
  );
  await (await option()).click();
  await expect($('[role="listbox"]')).not.toBeDisplayed();
  await expect(await picker()).toHaveText(expect.stringContaining(name));
}

/**
 * Opens a tab of the recipient picker ("channels", "people", "chats"; inside `within` when
 * given). As with the team picker, a click that lands while the Send dialog is still opening is
 * lost, so the tab is clicked until it is the selected one.
 */
export async function chooseRecipientTab(kind, within = browser) {
  const tab = () => within.$(`[data-testid="tab-${kind}"]`);
  await browser.waitUntil(
    async () => {
      if ((await (await tab()).getAttribute("aria-selected")) === "true") return true;
      await (await tab()).click();
      return (await (await tab()).getAttribute("aria-selected")) === "true";
    },
    { timeout: 20_000, interval: 500, timeoutMsg: `the ${kind} tab did not open` },
  );
}

export async function screenshot(name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  // Let pending data and Fluent's transitions settle so the picture shows what a person sees.
  await browser.pause(600);
  await saveWindowScreenshot(path.join(screenshotDir, `${name}.png`));
}

/** Starts the app a second time with `args`; single-instance hands them over and it exits. */
export function launchAgain(...args) {
  const result = spawnSync(appPath, args, { env: process.env, timeout: 30_000, encoding: "utf8" });
  if (result.error) throw result.error;
  return result;
}

/** Runs ox-teams-cli on the same data folder as the app under test. */
export function cli(...args) {
  const result = spawnSync(cliPath, args, { env: process.env, timeout: 30_000, encoding: "utf8" });
  if (result.error) throw result.error;
  return result;
}

/** The app's data folder for this spec (XDG_DATA_HOME is private to the spec). */
export function dataDir() {
  return path.join(process.env.XDG_DATA_HOME, "com.oxteams.connector");
}

/** The sandbox the suite runs against (started in wdio.conf.mjs). */
export const sandboxUrl = () => process.env.OX_TEAMS_SANDBOX_URL;

/** Points the app's settings at the sandbox, with a browser command that signs in as `user`. */
export function useSandbox(user, ...signInOptions) {
  const url = sandboxUrl();
  for (const [key, value] of [
    ["authority-url", url],
    ["graph-url", url],
    ["bot-url", url],
    ["cloud", "custom"],
    ["tenant", "contoso.onmicrosoft.com"],
    ["client-id", "0d3c5a8e-7b1f-4c9a-9e2d-5f6a7b8c9d0e"],
  ]) {
    const result = cli("config", "set", key, value);
    if (result.status !== 0) throw new Error(result.stderr);
  }
  signInAs(user, ...signInOptions);
}

/** Connects in the window as `user` against the sandbox: the settings point there, the
 * Connectors page (opened again, so it reads them) connects, and the state says Connected. */
export async function connectInWindow(user, ...signInOptions) {
  useSandbox(user, ...signInOptions);
  await openPage("settings");
  await openPage("connectors");
  await byTestId("connect").click();
  await expect(byTestId("connection-state")).toHaveText("Connected", { wait: 30_000 });
}

/** The text of the element with this test id as the DOM has it ("" when absent):
 * WebKitWebDriver's getText misses text in dialogs. */
export const textOf = (testId) =>
  browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? "", testId);

/** The browser command: completes the sandbox's sign-in page as `user`. */
export function signInAs(user, ...options) {
  const command = ["node", signInScript, "--as", user, ...options].join(" ");
  const result = cli("config", "set", "browser-command", command);
  if (result.status !== 0) throw new Error(result.stderr);
}

/** Calls one of the sandbox's controls. */
export async function sandboxControl(path, method = "POST") {
  const response = await fetch(`${sandboxUrl()}/_sandbox/${path}`, { method });
  if (!response.ok) throw new Error(`sandbox ${path}: ${response.status}`);
}
