// One typed function per Rust command (src-tauri/src/commands.rs).
import type { FieldProblem } from "../bindings/FieldProblem";
import type { KeychainStatus } from "../bindings/KeychainStatus";
import type { LinkEvent } from "../bindings/LinkEvent";
import type { PermissionScope } from "../bindings/PermissionScope";
import type { SaveSettingsOutcome } from "../bindings/SaveSettingsOutcome";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";
import type { Startup } from "../bindings/Startup";
import { call } from "./tauri";

export { CommandError, onLink } from "./tauri";

export const commands = {
  startup: () => call<Startup>("startup"),
  getSettings: () => call<SettingsView>("get_settings"),
  checkSettings: (draft: Settings) => call<FieldProblem[]>("check_settings", { draft }),
  saveSettings: (draft: Settings) => call<SaveSettingsOutcome>("save_settings", { draft }),
  keychainStatus: () => call<KeychainStatus>("keychain_status"),
  openDataFolder: () => call<null>("open_data_folder"),
  takePendingLink: () => call<LinkEvent | null>("take_pending_link"),
  permissionScopes: () => call<PermissionScope[]>("permission_scopes"),
};
