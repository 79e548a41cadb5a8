#!/usr/bin/env node
// A browser command for tests: it completes the sandbox's sign-in page as a given person, then
// follows Microsoft's redirect back to the app, as a person in a real browser would.
// Usage: node sign-in.mjs --as UPN [--decision accept|cancel] [--for-organization] URL
const args = process.argv.slice(2);
const url = args.pop();
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const user = option("--as");
const decision = option("--decision") ?? "accept";
const forOrganization = args.includes("--for-organization");

async function main() {
  const page = await fetch(url, { redirect: "manual" });
  if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}`);
  const form = new URLSearchParams({ username: user, decision });
  if (forOrganization) form.set("consent_for_organization", "on");
  const answer = await fetch(url, { method: "POST", body: form, redirect: "manual" });
  let back = answer.headers.get("location");
  if (answer.status === 200) {
    // "Need admin approval": its link leads back to the app.
    const html = await answer.text();
    const match = html.match(/id="return" href="([^"]+)"/);
    if (!match) throw new Error("the sign-in page neither redirected nor offered a way back");
    back = match[1].replaceAll("&amp;", "&");
  }
  if (!back) throw new Error(`the sign-in answered ${answer.status} without a redirect`);
  const final = await fetch(back, { redirect: "manual" });
  process.stdout.write(`${final.status} ${await final.text()}\n`);
}

main().catch((error) => {
  process.stderr.write(`sign-in.mjs: ${error.message}\n`);
  process.exit(1);
});
