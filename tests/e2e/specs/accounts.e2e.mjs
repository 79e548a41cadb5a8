// Switching accounts through the real window: what Megan queued is held when Alex connects,
// Activity says so, and Alex sends it as himself (nothing goes out as him unasked).
import path from "node:path";

import { $$, browser, expect } from "@wdio/globals";

import { byTestId, cli, openPage, sandboxControl, sandboxUrl, screenshot, signInAs, useSandbox, waitForApp } from "../support/app.mjs";

const MEGAN = "megan.bowen@contoso.onmicrosoft.com";
const ALEX = "alex.wilber@contoso.onmicrosoft.com";
const SARIF = path.resolve(import.meta.dirname, "../../fixtures/sarif/semgrep-generated.sarif");

async function sandboxFault(fault) {
  const response = await fetch(`${sandboxUrl()}/_sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`sandbox fault: ${response.status}`);
}

function run(...args) {
  const result = cli(...args);
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

describe("switching accounts", () => {
  it("holds what the first person queued until the one connected now decides", async () => {
    await waitForApp();
    useSandbox(MEGAN, "--for-organization");
    run("import", SARIF);
    run("connect");
    const issue = JSON.parse(run("--json", "issues")).issues[0].id;
    // Teams asks the app to wait ten minutes, so what Megan queues is still waiting when Alex
    // connects.
    for (const path of ["/v1.0/chats", "/v1.0/chats/*/messages"]) {
      await sandboxFault({ method: "POST", path, status: 429, retry_after: 600, count: 5 });
    }
    run("send", issue, "--to", "user:diego.siciliani@contoso.onmicrosoft.com", "--no-wait");
    await browser.waitUntil(() => JSON.parse(run("--json", "deliveries")).some((d) => d.status === "retrying"), {
      timeout: 30_000,
      timeoutMsg: "the app did not try to send Megan's message",
    });
    await sandboxControl("faults", "DELETE");

    signInAs(ALEX);
    run("connect");
    await openPage("activity");
    const banner = byTestId("held-messages");
    await expect(banner).toBeDisplayed({ wait: 15_000 });
    await expect(banner).toHaveText(expect.stringContaining("1 message is held"));
    await expect(banner).toHaveText(expect.stringContaining(`${ALEX} is connected now`));
    await expect($$('[data-testid="delivery-status"][data-status="held"]')).toBeElementsArrayOfSize(1);
    await screenshot("activity-held");

    await byTestId("held-send").click();
    await expect(banner).not.toBeDisplayed({ wait: 15_000 });
    await expect($$('[data-testid="delivery-status"][data-status="sent"]')).toBeElementsArrayOfSize(1, { wait: 30_000 });
    expect(JSON.parse(run("--json", "held")).held).toBeNull();
  });
});
