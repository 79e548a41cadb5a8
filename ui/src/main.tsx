import { CONNECTORS_READS } from "./features/connectors/reads";
import "./global.css";
import { commands } from "./ipc/commands";
import { readFirst } from "./shared/firstReads";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// The app's state and the first page's, so the first frame shows them (firstReads.ts). They
// answer in a few milliseconds; the wait bounds a keychain or disk that does not. They are asked
// from this small module while the window's code (React, Fluent UI, the pages) still loads and
// parses; index.html preloads that code (vite.config.ts), so it loads as soon as a static
// import would have.
const [{ mount }] = await Promise.all([
  import("./app/mount"),
  readFirst([commands.startup, ...CONNECTORS_READS], 250),
]);
mount(root);
