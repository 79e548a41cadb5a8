import type { Delivery } from "../bindings/Delivery";
// A stand-in for the Rust side, installed with vi.mock("../ipc/tauri") in tests.
import type { BotSetup } from "../bindings/BotSetup";
import type { Channel } from "../bindings/Channel";
import type { ConnectionState } from "../bindings/ConnectionState";
import type { DispatchReport } from "../bindings/DispatchReport";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { Issue } from "../bindings/Issue";
import type { LinkEvent } from "../bindings/LinkEvent";
import type { PermissionReport } from "../bindings/PermissionReport";
import type { PollReport } from "../bindings/PollReport";
import type { Person } from "../bindings/Person";
import type { SignInWaiting } from "../bindings/SignInWaiting";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";

type Handler = (args: Record<string, unknown> | undefined) => unknown;

export const backend = {
  handlers: new Map<string, Handler>(),
  linkListeners: new Set<(event: LinkEvent) => void>(),
  signInListeners: new Set<(event: SignInWaiting) => void>(),
  importListeners: new Set<(event: ImportProgress) => void>(),
  outboxListeners: new Set<(event: DispatchReport) => void>(),
  sourcesListeners: new Set<(event: PollReport) => void>(),
  dropListeners: new Set<(paths: string[]) => void>(),
  calls: [] as { command: string; args: Record<string, unknown> | undefined }[],

  reset() {
    this.handlers.clear();
    this.linkListeners.clear();
    this.signInListeners.clear();
    this.importListeners.clear();
    this.outboxListeners.clear();
    this.sourcesListeners.clear();
    this.dropListeners.clear();
    this.calls = [];
  },

  on(command: string, handler: Handler) {
    this.handlers.set(command, handler);
  },

  /** Tells the window the browser was sent to sign in. */
  emitSignInWaiting(event: SignInWaiting) {
    for (const listener of this.signInListeners) listener(event);
  },

  emitImportProgress(event: ImportProgress) {
    for (const listener of this.importListeners) listener(event);
  },

  emitOutboxChanged(event: DispatchReport) {
    for (const listener of this.outboxListeners) listener(event);
  },

  emitSourcesChecked(event: PollReport) {
    for (const listener of this.sourcesListeners) listener(event);
  },

  /** Drops files on the window. */
  dropFiles(paths: string[]) {
    for (const listener of this.dropListeners) listener(paths);
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
    refused: [],
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
    listenTo: async (event: string, listener: (payload: never) => void) => {
      const listeners = {
        "deep-link": backend.linkListeners,
        "sign-in-waiting": backend.signInListeners,
        "import-progress": backend.importListeners,
        "outbox-changed": backend.outboxListeners,
        "sources-checked": backend.sourcesListeners,
      }[event] as Set<(payload: never) => void> | undefined;
      if (!listeners) throw new Error(`no fake for the event ${event}`);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onFilesDropped: async (listener: (paths: string[]) => void) => {
      backend.dropListeners.add(listener);
      return () => backend.dropListeners.delete(listener);
    },
  };
}

/** The bot's card before anything is filled in. */
export function emptyBotSetup(): BotSetup {
  return {
    app_id: "",
    tenant: "",
    secret_set: false,
    secret_problem: null,
    cloud_label: "Global (commercial)",
    connector_url: "https://smba.trafficmanager.net/teams",
    teams_admin_center: "https://admin.teams.microsoft.com/policies/app-setup",
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
    optional: [scope("ChannelMessage.Read.All", true)],
    tenant_records: { state: "unavailable", reason: "Reading the tenant's own records needs Application.Read.All." },
    admin_center_url: null,
  };
}

/** An issue as the core returns it; `n` makes each one different. */
export function issue(n: number, overrides: Partial<Issue> = {}): Issue {
  return {
    id: `issue-${n}`,
    title: `SQL injection in route ${n}`,
    severity: "high",
    score: 8.1,
    tool: "Semgrep",
    rule_id: "python.lang.security.audit.eval",
    rule_name: "Use of eval",
    path: `app/views_${n}.py`,
    line: 42,
    column: 5,
    help_uri: "https://semgrep.dev/r/python.eval",
    link: null,
    description: "eval() on user input runs arbitrary code.",
    tags: ["security"],
    revision: 1,
    change: "new",
    first_seen: "2026-11-28T10:00:00Z",
    last_seen: "2026-11-28T10:00:00Z",
    source: "/reports/semgrep.sarif",
    scope: "Semgrep · semgrep.sarif",
    state: "open",
    state_changed_at: null,
    fixed_by: null,
    acknowledged_at: null,
    acknowledged_by: null,
    ...overrides,
  };
}

/** The list commands over `count` generated issues, paged as the core pages them. */
export function issueBackend(count: number, shape: (n: number) => Partial<Issue> = () => ({})) {
  const all = Array.from({ length: count }, (_, n) => issue(n, shape(n)));
  backend.on("issue_facets", () => ({
    total: count,
    severities: count > 0 ? [{ value: "high", count }] : [],
    tools: count > 0 ? [{ value: "Semgrep", count }] : [],
    changes: count > 0 ? [{ value: "new", count }] : [],
    states: count > 0 ? [{ value: "open", count }] : [],
  }));
  type Filter = { text: string; states: string[] };
  const matching = (filter: Filter) =>
    all
      .filter((i) => !filter.text || i.title.includes(filter.text))
      .filter((i) => filter.states.length === 0 || filter.states.includes(i.state));
  backend.on("list_issues", (args) => {
    const { offset, limit, filter } = args as { offset: number; limit: number; filter: Filter };
    const rows = matching(filter);
    return { total: rows.length, offset, issues: rows.slice(offset, offset + limit) };
  });
  backend.on("list_issues_after", (args) => {
    const { afterId, limit, filter } = args as { afterId: string; limit: number; filter: Filter };
    const rows = matching(filter);
    const at = rows.findIndex((i) => i.id === afterId);
    if (at < 0) throw { code: "not_found", message: `No issue has the id ${afterId}.` };
    return rows.slice(at + 1, at + 1 + limit);
  });
  backend.on("issue_history", () => [
    { revision: 1, at: "2026-11-28T10:00:00Z", kind: "new", changes: [], source: "/reports/semgrep.sarif" },
  ]);
  backend.on("issue_conversations", () => []);
  backend.on("get_issue", (args) => {
    const found = all.find((i) => i.id === (args as { id: string }).id);
    if (!found) throw { code: "not_found", message: "No such issue." };
    return found;
  });
  return all;
}

/** The i-th element, or a clear failure when there is none. */
export function nth<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`expected at least ${index + 1} items, found ${list.length}`);
  return item;
}

/** A channel as `list_channels` returns it, with the recipient the core builds for it. */
export function channelItem(team: { id: string; name: string }, id: string, name: string, kind: Channel["kind"] = "standard"): Channel {
  return {
    id,
    team_id: team.id,
    name,
    description: "",
    kind,
    recipient: {
      kind: "channel",
      team_id: team.id,
      channel_id: id,
      team_name: team.name,
      channel_name: name,
      key: `channel:${team.id}/${id}`,
      label: `${team.name} › ${name}`,
    },
  };
}

/** A person as `search_people` returns them, with the recipient the core builds for them. */
export function personItem(id: string, name: string, mail: string, jobTitle = ""): Person {
  return {
    id,
    name,
    mail,
    job_title: jobTitle,
    recipient: { kind: "person", user_id: id, name, mail, key: `person:${id}`, label: name },
  };
}

/** A delivery as the outbox reports it: sent to Adele Vance, unless `overrides` say otherwise. */
export function deliveryItem(overrides: Partial<Delivery> & Pick<Delivery, "id">): Delivery {
  return {
    message_id: "m-1",
    issue_id: "issue-1",
    issue_title: "SQL injection in the login route",
    recipient: personItem("u2", "Adele Vance", "adele.vance@contoso.com").recipient,
    label: "Adele Vance",
    status: "sent",
    attempts: 1,
    next_attempt_at: "2026-11-28T10:00:00Z",
    web_url: "https://teams.example/m1",
    problem: null,
    comment: "",
    origin: { kind: "manual" },
    identity: "user",
    sender: "Megan Bowen",
    created_at: "2026-11-28T10:00:00Z",
    updated_at: "2026-11-28T10:00:00Z",
    sent_at: "2026-11-28T10:00:01Z",
    action: "posted",
    action_label: "Posted",
    note: null,
    mentions: [],
    ...overrides,
  };
}
