// A stand-in for the Rust side, installed with vi.mock("../ipc/tauri") in tests.
import type { ConnectionState } from "../bindings/ConnectionState";
import type { LinkEvent } from "../bindings/LinkEvent";
import type { PermissionReport } from "../bindings/PermissionReport";
import type { SignInWaiting } from "../bindings/SignInWaiting";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";

type Handler = (args: Record<string, unknown> | undefined) => unknown;

export const backend = {
  handlers: new Map<string, Handler>(),
  linkListeners: new Set<(event: LinkEvent) => void>(),
  signInListeners: new Set<(event: SignInWaiting) => void>(),
  calls: [] as { command: string; args: Record<string, unknown> | undefined }[],

  reset() {
    this.handlers.clear();
    this.linkListeners.clear();
    this.signInListeners.clear();
    this.calls = [];
  },

  on(command: string, handler: Handler) {
    this.handlers.set(command, handler);
  },

  /** Tells the window the browser was sent to sign in. */
  emitSignInWaiting(event: SignInWaiting) {
    for (const listener of this.signInListeners) listener(event);
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
  sign_in_redirect: "loopback",
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
  const { vi } = await import("vitest");
  const actual = await vi.importActual<typeof import("../ipc/tauri")>("../ipc/tauri");
  return {
    CommandError: actual.CommandError,
    call: async (command: string, args?: Record<string, unknown>) => {
      backend.calls.push({ command, args });
      const handler = backend.handlers.get(command);
      if (!handler) throw new actual.CommandError("internal", `no fake for ${command}`);
      try {
        return await handler(args);
      } catch (error) {
        // As the real module does: whatever Rust rejects with becomes a CommandError.
        const { code, message } = error as { code: never; message: string };
        throw new actual.CommandError(code, message);
      }
    },
    onLink: async (listener: (event: LinkEvent) => void) => {
      backend.linkListeners.add(listener);
      return () => backend.linkListeners.delete(listener);
    },
    onSignInWaiting: async (listener: (event: SignInWaiting) => void) => {
      backend.signInListeners.add(listener);
      return () => backend.signInListeners.delete(listener);
    },
  };
}

export const connectedState: ConnectionState = {
  state: "connected",
  account: {
    name: "Megan Bowen",
    mail: "megan.bowen@contoso.onmicrosoft.com",
    user_id: "8f0e9a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
    tenant_id: "67d5707b-abc2-4d84-ace0-0c3a4e42a0d8",
    tenant: "contoso.onmicrosoft.com",
    cloud_label: "Custom",
    connected_at: "2026-11-28T10:00:00Z",
    refreshed_at: "2026-11-28T10:00:00Z",
    granted_scopes: [],
    settings_changed: false,
  },
};

export function permissionReport(granted: boolean | null): PermissionReport {
  const scope = (name: string, admin: boolean) => ({
    scope: {
      name,
      grants: `Grants ${name}.`,
      reason: `Needed for ${name}.`,
      admin_consent: admin,
      without_it: `Without ${name} something stops.`,
      openid: false,
    },
    granted,
  });
  return {
    connected: granted !== null,
    permissions: [scope("ChannelMessage.Send", false), scope("Team.ReadBasic.All", true)],
    missing: granted === false ? ["ChannelMessage.Send", "Team.ReadBasic.All"] : [],
    tenant_records: { state: "unavailable", reason: "Reading the tenant's own records needs Application.Read.All." },
    admin_center_url: null,
  };
}
