// One typed function per Rust command (src-tauri/src/commands.rs).
import type { ConnectionState } from "../bindings/ConnectionState";
import type { FieldProblem } from "../bindings/FieldProblem";
import type { KeychainStatus } from "../bindings/KeychainStatus";
import type { LinkEvent } from "../bindings/LinkEvent";
import type { PermissionReport } from "../bindings/PermissionReport";
import type { SaveSettingsOutcome } from "../bindings/SaveSettingsOutcome";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";
import type { Startup } from "../bindings/Startup";
import { call } from "./tauri";

export { CommandError, onLink, onSignInWaiting } from "./tauri";

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
};
