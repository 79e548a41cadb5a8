import { expect } from "@wdio/globals";

import { byTestId, openPage, sandboxControl, screenshot, signInAs, useSandbox, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";

describe("connecting with the identity provider, against the sandbox", () => {
  before(async () => {
    await waitForApp();
    useSandbox(MEGAN, "--for-organization");
    // Open the page again so it reads the new settings.
    await openPage("settings");
    await openPage("connectors");
  });

  it("connects as the person who signed in", async () => {
    await expect(byTestId("connection-state")).toHaveText("Not connected");
    await byTestId("connect").click();
    await expect(byTestId("connection-state")).toHaveText("Connected", { wait: 30_000 });
    await expect(byTestId("connected-account")).toHaveText(expect.stringContaining("Megan Bowen (megan.bowen@contoso.onmicrosoft.com)"));
    await screenshot("connected");
  });

  it("shows all nine permissions granted", async () => {
    await expect(byTestId("permissions-summary")).toHaveText("9 of 9 granted");
    const granted = await byTestId("permission-scopes").$$('[data-testid="granted"]');
    expect(granted).toHaveLength(9);
    for (const cell of granted) await expect(cell).toHaveText("Granted");
    await byTestId("permissions").scrollIntoView();
    await screenshot("permissions");
  });

  it("says reconnect, and why, once the grant is revoked in the tenant", async () => {
    await sandboxControl(`users/${MEGAN}/revoke`);
    await byTestId("check-connection").click();
    await expect(byTestId("connection-state")).toHaveText("Reconnect needed");
    await expect(byTestId("reconnect-reason")).toHaveText(expect.stringContaining("revoked"));
    await byTestId("teams-connector").scrollIntoView();
    await screenshot("reconnect-needed");
  });

  it("tells the person what declining means", async () => {
    signInAs(MEGAN, "--decision", "cancel");
    await byTestId("reconnect").click();
    await expect(byTestId("connection-problem")).toHaveText(expect.stringContaining("You declined the permissions"), { wait: 30_000 });
    await screenshot("declined");
  });

  it("reconnects, and disconnects on request", async () => {
    signInAs(MEGAN, "--for-organization");
    await byTestId("reconnect").click();
    await expect(byTestId("connection-state")).toHaveText("Connected", { wait: 30_000 });
    await byTestId("disconnect").click();
    await byTestId("confirm-disconnect").click();
    await expect(byTestId("connection-state")).toHaveText("Not connected");
  });
});
