/// The app's own commands. Each gets an `allow-…` permission, and the capability file grants
/// exactly these, so the window can call nothing else.
const COMMANDS: &[&str] = &[
    "startup",
    "get_settings",
    "check_settings",
    "save_settings",
    "keychain_status",
    "open_data_folder",
    "take_pending_link",
    "connection_state",
    "check_connection",
    "connect",
    "cancel_connect",
    "disconnect",
    "permission_report",
    "open_admin_center",
    "bot_setup",
    "save_bot_setup",
    "bot_state",
    "connect_bot",
    "verify_bot",
    "disconnect_bot",
    "save_app_package",
    "reveal_file",
    "app_coverage",
    "open_teams_admin_center",
    "list_issues",
    "get_issue",
    "issue_facets",
    "choose_and_import",
    "import_paths",
    "cancel_import",
    "list_teams",
    "list_channels",
    "list_chats",
    "search_people",
    "preview_send",
    "send_message",
    "message_deliveries",
    "issue_deliveries",
    "list_deliveries",
    "resend_delivery",
    "open_message",
    "open_help",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
