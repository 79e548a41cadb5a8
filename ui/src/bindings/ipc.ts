// Generated from src-tauri/src/commands.rs and events.rs (src-tauri/src/ipc.rs); run `make bindings`, do not edit.
import type { AnswersReport } from "./AnswersReport";
import type { BotSetup } from "./BotSetup";
import type { BotSetupDraft } from "./BotSetupDraft";
import type { BotState } from "./BotState";
import type { Channel } from "./Channel";
import type { Chat } from "./Chat";
import type { ConnectionState } from "./ConnectionState";
import type { Conversation } from "./Conversation";
import type { Coverage } from "./Coverage";
import type { Delivery } from "./Delivery";
import type { DispatchReport } from "./DispatchReport";
import type { DryRun } from "./DryRun";
import type { FieldProblem } from "./FieldProblem";
import type { FindingOwners } from "./FindingOwners";
import type { Freshness } from "./Freshness";
import type { GitHubDraft } from "./GitHubDraft";
import type { HeldMessages } from "./HeldMessages";
import type { ImportProgress } from "./ImportProgress";
import type { ImportReport } from "./ImportReport";
import type { Issue } from "./Issue";
import type { IssueEvent } from "./IssueEvent";
import type { IssueFacets } from "./IssueFacets";
import type { IssueFilter } from "./IssueFilter";
import type { IssuePage } from "./IssuePage";
import type { IssueState } from "./IssueState";
import type { KeychainStatus } from "./KeychainStatus";
import type { LinkEvent } from "./LinkEvent";
import type { Listing } from "./Listing";
import type { MatchCount } from "./MatchCount";
import type { OwnersLocation } from "./OwnersLocation";
import type { OwnersView } from "./OwnersView";
import type { PermissionReport } from "./PermissionReport";
import type { Person } from "./Person";
import type { PollReport } from "./PollReport";
import type { Queued } from "./Queued";
import type { QuietHold } from "./QuietHold";
import type { Recipient } from "./Recipient";
import type { SaveSettingsOutcome } from "./SaveSettingsOutcome";
import type { SavedPackage } from "./SavedPackage";
import type { SavedWorkflow } from "./SavedWorkflow";
import type { SendPreview } from "./SendPreview";
import type { SendRequest } from "./SendRequest";
import type { Settings } from "./Settings";
import type { SettingsView } from "./SettingsView";
import type { SignInKind } from "./SignInKind";
import type { SignInWaiting } from "./SignInWaiting";
import type { Source } from "./Source";
import type { Startup } from "./Startup";
import type { Team } from "./Team";
import type { Workflow } from "./Workflow";
import type { WorkflowDefinition } from "./WorkflowDefinition";
import type { WorkflowRun } from "./WorkflowRun";
import { call, listenTo } from "../ipc/tauri";

export const commands = {
  startup: () => call<Startup>("startup"),
  getSettings: () => call<SettingsView>("get_settings"),
  checkSettings: (draft: Settings) => call<Array<FieldProblem>>("check_settings", { draft }),
  saveSettings: (draft: Settings) => call<SaveSettingsOutcome>("save_settings", { draft }),
  keychainStatus: () => call<KeychainStatus>("keychain_status"),
  /** Opens the data folder in the file manager (it works even when the database does not). */
  openDataFolder: () => call<null>("open_data_folder"),
  takePendingLink: () => call<LinkEvent | null>("take_pending_link"),
  connectionState: () => call<ConnectionState>("connection_state"),
  /** Asks Microsoft whether the connection still works. */
  checkConnection: () => call<ConnectionState>("check_connection"),
  /** Signs in in the browser and waits (up to five minutes) for it to come back. `only` asks for just those permissions. */
  connect: (only: Array<string> | null) => call<ConnectionState>("connect", { only }),
  /** Cancels the sign-in or the bot's consent, whichever `kind` says; the other goes on. */
  cancelConnect: (kind: SignInKind) => call<null>("cancel_connect", { kind }),
  disconnect: () => call<ConnectionState>("disconnect"),
  permissionReport: () => call<PermissionReport>("permission_report"),
  /** Opens the app's permissions page in the admin center of the configured cloud. */
  openAdminCenter: () => call<null>("open_admin_center"),
  /** The bot card's fields; the secret only as set or not set. */
  botSetup: () => call<BotSetup>("bot_setup"),
  /** Saves the bot card; a typed secret goes to the OS keychain. */
  saveBotSetup: (draft: BotSetupDraft) => call<BotSetup>("save_bot_setup", { draft }),
  botState: () => call<BotState>("bot_state"),
  /** Runs the administrator's consent in the browser, then verifies the bot (up to five minutes; `cancel_connect` stops it). */
  connectBot: () => call<BotState>("connect_bot"),
  /** Proves the bot's setup again without the browser. */
  verifyBot: () => call<BotState>("verify_bot"),
  disconnectBot: (forgetSecret: boolean) => call<BotState>("disconnect_bot", { forgetSecret }),
  /** Writes the Teams app package to the Downloads folder, as a browser would. */
  saveAppPackage: () => call<SavedPackage>("save_app_package"),
  /** Shows a saved package in the file manager. */
  revealFile: (path: string) => call<null>("reveal_file", { path }),
  /** Whether the bot's app is installed for these people and channels' teams. */
  appCoverage: (recipients: Array<Recipient>) => call<Coverage>("app_coverage", { recipients }),
  /** Opens Teams admin center's app setup policies of the configured cloud. */
  openTeamsAdminCenter: () => call<null>("open_teams_admin_center"),
  listIssues: (filter: IssueFilter, offset: number, limit: number) => call<IssuePage>("list_issues", { filter, offset, limit }),
  /** The next page of the table after the last row it holds (scrolling down). */
  listIssuesAfter: (filter: IssueFilter, afterId: string, limit: number) => call<Array<Issue>>("list_issues_after", { filter, afterId, limit }),
  getIssue: (id: string) => call<Issue>("get_issue", { id }),
  /** A finding's history: each revision and state change, oldest first. */
  issueHistory: (id: string) => call<Array<IssueEvent>>("issue_history", { id }),
  /** A finding's conversations in Teams: per place, the first message, the replies and updates that followed it, and the answers read back. */
  issueConversations: (id: string) => call<Array<Conversation>>("issue_conversations", { id }),
  /** Reads the answers (reactions, replies) to findings' messages now, instead of at the next poll. */
  readAnswers: () => call<AnswersReport>("read_answers"),
  /** Counts for the filters among the findings in `states` (every state when empty). */
  issueFacets: (states: Array<IssueState>) => call<IssueFacets>("issue_facets", { states }),
  /** Asks for SARIF or JSON files (or a folder of them) in the system's file chooser and imports them. `None` when the person closed the chooser. */
  chooseAndImport: (folder: boolean) => call<ImportReport | null>("choose_and_import", { folder }),
  /** Every source findings arrive from by themselves, with its last check and problem. */
  listSources: () => call<Array<Source>>("list_sources"),
  /** Asks for a folder in the system's chooser and watches it. `None` when the person closed the chooser. */
  chooseAndWatchFolder: () => call<Source | null>("choose_and_watch_folder"),
  /** Adds a GitHub source once GitHub accepts the token; the token goes to the OS keychain. */
  addGithubSource: (draft: GitHubDraft, token: string) => call<Source>("add_github_source", { draft, token }),
  /** Stops watching a source (its findings stay). */
  removeSource: (id: string) => call<null>("remove_source", { id }),
  /** Checks a source now; the result arrives as a `sources-checked` event. */
  checkSource: (id: string) => call<null>("check_source", { id }),
  /** Imports files dropped on the window. */
  importPaths: (paths: Array<string>) => call<ImportReport>("import_paths", { paths }),
  /** Messages held because another person connected, if any. */
  heldMessages: () => call<HeldMessages | null>("held_messages"),
  /** Sends the held messages as the account now connected (`send`), or discards them. */
  releaseHeldMessages: (send: boolean) => call<number>("release_held_messages", { send }),
  cancelImport: () => call<null>("cancel_import"),
  listTeams: (freshness: Freshness) => call<Listing<Team>>("list_teams", { freshness }),
  listChannels: (teamId: string, freshness: Freshness) => call<Listing<Channel>>("list_channels", { teamId, freshness }),
  listChats: (freshness: Freshness) => call<Listing<Chat>>("list_chats", { freshness }),
  searchPeople: (query: string, freshness: Freshness) => call<Listing<Person>>("search_people", { query, freshness }),
  previewSend: (request: SendRequest) => call<SendPreview>("preview_send", { request }),
  /** Queues the message and wakes the dispatcher; the window follows the deliveries. */
  sendMessage: (request: SendRequest) => call<Queued>("send_message", { request }),
  messageDeliveries: (messageId: string) => call<Array<Delivery>>("message_deliveries", { messageId }),
  listDeliveries: (limit: number) => call<Array<Delivery>>("list_deliveries", { limit }),
  resendDelivery: (id: string) => call<Delivery>("resend_delivery", { id }),
  /** Opens a sent message in Teams (the address Microsoft gave for it, nothing else). */
  openMessage: (deliveryId: string) => call<null>("open_message", { deliveryId }),
  /** Opens a rule's help page (only web addresses). */
  openHelp: (issueId: string) => call<null>("open_help", { issueId }),
  /** Opens the page of the alert a finding came from (a GitHub alert), only a web address. */
  openAlert: (issueId: string) => call<null>("open_alert", { issueId }),
  /** The CODEOWNERS file, its skipped lines, and each owner with where it reaches. */
  ownersView: () => call<OwnersView>("owners_view"),
  /** Reads CODEOWNERS from a repository folder or file, or fetches it through a GitHub source (`None`: stop routing by owners), then looks up its e-mail owners when Teams is connected. */
  setOwnersLocation: (location: OwnersLocation | null) => call<OwnersView>("set_owners_location", { location }),
  /** Asks for the repository folder in the system's chooser. `None` when the person closed it. */
  chooseOwnersFolder: () => call<OwnersView | null>("choose_owners_folder"),
  /** Maps a GitHub user or team to a person or channel (`None`: removes the mapping). */
  mapOwner: (owner: string, recipient: Recipient | null) => call<OwnersView>("map_owner", { owner, recipient }),
  /** Fetches CODEOWNERS from GitHub again (when it comes from there) and looks up every e-mail owner in the directory again. */
  refreshOwners: () => call<OwnersView>("refresh_owners"),
  /** Who owns a path in the repository, and where they reach. */
  ownersOfPath: (path: string) => call<FindingOwners>("owners_of_path", { path }),
  /** People in the directory whose name resembles a GitHub user or team. */
  ownerSuggestions: (owner: string) => call<Array<Person>>("owner_suggestions", { owner }),
  listWorkflows: () => call<Array<Workflow>>("list_workflows"),
  /** How many open issues each workflow matches now (the Workflows page's column). */
  workflowMatchCounts: () => call<Array<MatchCount>>("workflow_match_counts"),
  /** Creates (`id` null) or replaces a workflow; one that covers existing issues acts at once. */
  saveWorkflow: (id: string | null, definition: WorkflowDefinition, confirmed: boolean) => call<SavedWorkflow>("save_workflow", { id, definition, confirmed }),
  setWorkflowEnabled: (id: string, enabled: boolean, confirmed: boolean) => call<SavedWorkflow>("set_workflow_enabled", { id, enabled, confirmed }),
  deleteWorkflow: (id: string) => call<null>("delete_workflow", { id }),
  /** For the current issues, who would get what; nothing is sent. */
  dryRunWorkflow: (id: string | null, definition: WorkflowDefinition) => call<DryRun>("dry_run_workflow", { id, definition }),
  workflowHistory: (id: string) => call<Array<WorkflowRun>>("workflow_history", { id }),
  /** What workflows hold for their quiet hours, by workflow. */
  quietHolds: () => call<Array<QuietHold>>("quiet_holds"),
};

/** An `ox-teams://` link the app received. */
export const onDeepLink = (handler: (payload: LinkEvent) => void): Promise<() => void> =>
  listenTo<LinkEvent>("deep-link", handler);

/** The app has sent the browser to Microsoft's sign-in (with the address). */
export const onSignInWaiting = (handler: (payload: SignInWaiting) => void): Promise<() => void> =>
  listenTo<SignInWaiting>("sign-in-waiting", handler);

/** An import's progress: the file, and bytes read of total. */
export const onImportProgress = (handler: (payload: ImportProgress) => void): Promise<() => void> =>
  listenTo<ImportProgress>("import-progress", handler);

/** Deliveries were sent, failed, retried or paused. */
export const onOutboxChanged = (handler: (payload: DispatchReport) => void): Promise<() => void> =>
  listenTo<DispatchReport>("outbox-changed", handler);

/** Sources were checked: what each found, and its problem. */
export const onSourcesChecked = (handler: (payload: PollReport) => void): Promise<() => void> =>
  listenTo<PollReport>("sources-checked", handler);
