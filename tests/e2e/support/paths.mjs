import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../../..");
const targetDir = process.env.CARGO_TARGET_DIR
  ? path.resolve(process.env.CARGO_TARGET_DIR)
  : path.join(repo, "target");

/** The app under test: the debug build unless OX_TEAMS_APP names another. */
export const appPath = process.env.OX_TEAMS_APP ?? path.join(targetDir, "debug", "ox-teams");
export const cliPath = path.join(path.dirname(appPath), "ox-teams-cli");
/** The sandbox comes from the build even when the app under test is a packaged one. */
export const sandboxPath =
  process.env.OX_TEAMS_SANDBOX ?? path.join(targetDir, "debug", "ox-teams-sandbox");
export const signInScript = path.join(import.meta.dirname, "sign-in.mjs");
export const screenshotDir =
  process.env.OX_TEAMS_SCREENSHOTS ?? path.join(targetDir, "e2e-screenshots");
