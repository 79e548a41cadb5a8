// A stand-in for the Rust side, installed with vi.mock("../ipc/tauri") in tests.
import type { LinkEvent } from "../bindings/LinkEvent";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";

type Handler = (args: Record<string, unknown> | undefined) => unknown;

export const backend = {
  handlers: new Map<string, Handler>(),
  linkListeners: new Set<(event: LinkEvent) => void>(),
  calls: [] as { command: string; args: Record<string, unknown> | undefined }[],

  reset() {
    this.handlers.clear();
    this.linkListeners.clear();
    this.calls = [];
  },

  on(command: string, handler: Handler) {
    this.handlers.set(command, handler);
  },

  /** Hands a link to the window, as a second launch does. */
  emitLink(event: LinkEvent) {
    for (const listener of this.linkListeners) listener(event);
  },
};

export const defaultSettings: Settings = {
  cloud: "global",
  authority_url: "",
  graph_url: "",
  bot_url: "",
  tenant: "organizations",
  client_id: "",
  browser_command: "",
};

export function settingsView(settings: Settings = defaultSettings): SettingsView {
  const global = {
    authority: "https://login.microsoftonline.com",
    graph: "https://graph.microsoft.com",
    bot_connector: "https://smba.trafficmanager.net/teams",
  };
  return {
    settings,
    endpoints: global,
    clouds: [
      { cloud: "global", label: "Global (commercial)", endpoints: global },
      { cloud: "custom", label: "Custom", endpoints: null },
    ],
    data_dir: "/home/ana/.local/share/com.oxteams.connector",
    database_path: "/home/ana/.local/share/com.oxteams.connector/ox-teams.sqlite3",
    version: "0.1.0",
  };
}

/** The module that replaces src/ipc/tauri.ts. */
export async function fakeTauriModule() {
  const actual = await import("../ipc/tauri");
  return {
    CommandError: actual.CommandError,
    call: async (command: string, args?: Record<string, unknown>) => {
      backend.calls.push({ command, args });
      const handler = backend.handlers.get(command);
      if (!handler) throw new actual.CommandError("internal", `no fake for ${command}`);
      return handler(args);
    },
    onLink: async (listener: (event: LinkEvent) => void) => {
      backend.linkListeners.add(listener);
      return () => backend.linkListeners.delete(listener);
    },
  };
}
