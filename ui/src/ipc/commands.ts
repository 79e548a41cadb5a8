// One typed function per Rust command (src-tauri/src/commands.rs).
import type { BotSetup } from "../bindings/BotSetup";
import type { BotSetupDraft } from "../bindings/BotSetupDraft";
import type { BotState } from "../bindings/BotState";
import type { Channel } from "../bindings/Channel";
import type { Coverage } from "../bindings/Coverage";
import type { DryRun } from "../bindings/DryRun";
import type { SavedWorkflow } from "../bindings/SavedWorkflow";
import type { Workflow } from "../bindings/Workflow";
import type { WorkflowDefinition } from "../bindings/WorkflowDefinition";
import type { WorkflowRun } from "../bindings/WorkflowRun";
import type { Recipient } from "../bindings/Recipient";
import type { SavedPackage } from "../bindings/SavedPackage";
import type { Chat } from "../bindings/Chat";
import type { ConnectionState } from "../bindings/ConnectionState";
import type { Delivery } from "../bindings/Delivery";
import type { Freshness } from "../bindings/Freshness";
import type { ImportReport } from "../bindings/ImportReport";
import type { Issue } from "../bindings/Issue";
import type { IssueFacets } from "../bindings/IssueFacets";
import type { IssueFilter } from "../bindings/IssueFilter";
import type { IssuePage } from "../bindings/IssuePage";
import type { Listing } from "../bindings/Listing";
import type { Person } from "../bindings/Person";
import type { Queued } from "../bindings/Queued";
import type { SendPreview } from "../bindings/SendPreview";
import type { SendRequest } from "../bindings/SendRequest";
import type { Team } from "../bindings/Team";
import type { FieldProblem } from "../bindings/FieldProblem";
import type { KeychainStatus } from "../bindings/KeychainStatus";
import type { LinkEvent } from "../bindings/LinkEvent";
import type { PermissionReport } from "../bindings/PermissionReport";
import type { SaveSettingsOutcome } from "../bindings/SaveSettingsOutcome";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";
import type { Startup } from "../bindings/Startup";
import { call } from "./tauri";

export { CommandError, onFilesDropped, onImportProgress, onLink, onOutboxChanged, onSignInWaiting } from "./tauri";

export const commands = {
  startup: () => call<Startup>("startup"),
  getSettings: () => call<SettingsView>("get_settings"),
  checkSettings: (draft: Settings) => call<FieldProblem[]>("check_settings", { draft }),
  saveSettings: (draft: Settings) => call<SaveSettingsOutcome>("save_settings", { draft }),
  keychainStatus: () => call<KeychainStatus>("keychain_status"),
  openDataFolder: () => call<null>("open_data_folder"),
  takePendingLink: () => call<LinkEvent | null>("take_pending_link"),
  connectionState: () => call<ConnectionState>("connection_state"),
  checkConnection: () => call<ConnectionState>("check_connection"),
  /** Resolves when the browser came back (or failed, or was cancelled); up to five minutes. */
  connect: (only: string[] | null) => call<ConnectionState>("connect", { only }),
  cancelConnect: () => call<null>("cancel_connect"),
  disconnect: () => call<ConnectionState>("disconnect"),
  permissionReport: () => call<PermissionReport>("permission_report"),
  openAdminCenter: () => call<null>("open_admin_center"),
  botSetup: () => call<BotSetup>("bot_setup"),
  saveBotSetup: (draft: BotSetupDraft) => call<BotSetup>("save_bot_setup", { draft }),
  botState: () => call<BotState>("bot_state"),
  /** Resolves when the administrator's consent came back and the bot was verified. */
  connectBot: () => call<BotState>("connect_bot"),
  verifyBot: () => call<BotState>("verify_bot"),
  disconnectBot: (forgetSecret: boolean) => call<BotState>("disconnect_bot", { forgetSecret }),
  saveAppPackage: () => call<SavedPackage>("save_app_package"),
  revealFile: (path: string) => call<null>("reveal_file", { path }),
  appCoverage: (recipients: Recipient[]) => call<Coverage>("app_coverage", { recipients }),
  openTeamsAdminCenter: () => call<null>("open_teams_admin_center"),
  listWorkflows: () => call<Workflow[]>("list_workflows"),
  /** Creates (id null) or replaces a workflow; one that covers existing issues acts at once. */
  saveWorkflow: (id: string | null, definition: WorkflowDefinition) => call<SavedWorkflow>("save_workflow", { id, definition }),
  setWorkflowEnabled: (id: string, enabled: boolean) => call<SavedWorkflow>("set_workflow_enabled", { id, enabled }),
  deleteWorkflow: (id: string) => call<null>("delete_workflow", { id }),
  dryRunWorkflow: (id: string | null, definition: WorkflowDefinition) => call<DryRun>("dry_run_workflow", { id, definition }),
  workflowHistory: (id: string) => call<WorkflowRun[]>("workflow_history", { id }),
  listIssues: (filter: IssueFilter, offset: number, limit: number) =>
    call<IssuePage>("list_issues", { filter, offset, limit }),
  getIssue: (id: string) => call<Issue>("get_issue", { id }),
  issueFacets: () => call<IssueFacets>("issue_facets"),
  /** Opens the system's file chooser; null when it was closed without choosing. */
  chooseAndImport: (folder: boolean) => call<ImportReport | null>("choose_and_import", { folder }),
  importPaths: (paths: string[]) => call<ImportReport>("import_paths", { paths }),
  cancelImport: () => call<null>("cancel_import"),
  listTeams: (freshness: Freshness) => call<Listing<Team>>("list_teams", { freshness }),
  listChannels: (teamId: string, freshness: Freshness) =>
    call<Listing<Channel>>("list_channels", { teamId, freshness }),
  listChats: (freshness: Freshness) => call<Listing<Chat>>("list_chats", { freshness }),
  searchPeople: (query: string, freshness: Freshness) => call<Listing<Person>>("search_people", { query, freshness }),
  previewSend: (request: SendRequest) => call<SendPreview>("preview_send", { request }),
  sendMessage: (request: SendRequest) => call<Queued>("send_message", { request }),
  messageDeliveries: (messageId: string) => call<Delivery[]>("message_deliveries", { messageId }),
  issueDeliveries: (issueId: string) => call<Delivery[]>("issue_deliveries", { issueId }),
  listDeliveries: (limit: number) => call<Delivery[]>("list_deliveries", { limit }),
  resendDelivery: (id: string) => call<Delivery>("resend_delivery", { id }),
  openMessage: (deliveryId: string) => call<null>("open_message", { deliveryId }),
  openHelp: (issueId: string) => call<null>("open_help", { issueId }),
};
