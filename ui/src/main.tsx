import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./app/App";
import { CONNECTORS_READS } from "./features/connectors/ConnectorsPage";
import "./global.css";
import { commands } from "./ipc/commands";
import { readFirst } from "./shared/firstReads";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// The app's state and the first page's, so the first frame shows them (firstReads.ts). They
// answer in a few milliseconds; the wait bounds a keychain or disk that does not.
await readFirst([commands.startup, ...CONNECTORS_READS], 250);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
