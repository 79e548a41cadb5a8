import { commands } from "../../ipc/commands";

/**
 * What the Connectors page reads when it opens; main.tsx asks for them before the window first
 * draws. Kept apart from the page so that main.tsx can ask while the page's code still loads.
 */
export const CONNECTORS_READS = [
  commands.connectionState,
  commands.getSettings,
  commands.permissionReport,
  commands.botSetup,
  commands.botState,
];
