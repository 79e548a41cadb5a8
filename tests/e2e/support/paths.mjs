import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../../..");
const targetDir = process.env.CARGO_TARGET_DIR
  ? path.resolve(process.env.CARGO_TARGET_DIR)
  : path.join(repo, "target");

/** The app under test: the debug build unless OX_TEAMS_APP names another. */
export const appPath = process.env.OX_TEAMS_APP ?? path.join(targetDir, "debug", "ox-teams");
export const cliPath = path.join(path.dirname(appPath), "ox-teams-cli");
export const sandboxPath = path.join(path.dirname(appPath), "ox-teams-sandbox");
export const signInScript = path.join(import.meta.dirname, "sign-in.mjs");
export const screenshotDir = path.join(targetDir, "e2e-screenshots");
