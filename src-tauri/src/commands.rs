//! Commands the window may call. Each is a few lines over `ox-teams-core`; errors reach the
//! window as `{code, message}`. They are `async` so that none runs on the UI thread.

use ox_teams_core::auth::attempts::SignInKind;
use ox_teams_core::auth::{
    ConnectionState, PermissionReport, SIGN_IN_TIMEOUT, SignInRequest, SignInWaiting,
};
use std::path::PathBuf;

use ox_teams_core::bot::package::SavedPackage;
use ox_teams_core::bot::{BotSetup, BotSetupDraft, BotState, ConsentRequest, Coverage};
use ox_teams_core::directory::{Channel, Chat, Freshness, Listing, Person, Team};
use ox_teams_core::issues::{
    ImportReport, Issue, IssueEvent, IssueFacets, IssueFilter, IssuePage, IssueState,
};
use ox_teams_core::links::LinkEvent;
use ox_teams_core::outbox::{
    AnswersReport, Conversation, Delivery, HeldMessages, Queued, Recipient, SendPreview,
    SendRequest,
};
use ox_teams_core::secrets::KeychainStatus;
use ox_teams_core::secrets::Secret;
use ox_teams_core::settings::{FieldProblem, Settings, SignInRedirect};
use ox_teams_core::sources::{GitHubDraft, Source};
use ox_teams_core::{AppError, ErrorCode, SaveSettingsOutcome, SettingsView, Startup};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::{DialogExt, FilePath};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::oneshot;

use crate::{Shell, events};

#[tauri::command]
pub async fn startup(shell: State<'_, Shell>) -> Result<Startup, AppError> {
    Ok(match &shell.core {
        Ok(_) => Startup::Ready {
            version: ox_teams_core::VERSION.to_string(),
        },
        Err(failed) => failed.clone(),
    })
}

#[tauri::command]
pub async fn get_settings(shell: State<'_, Shell>) -> Result<SettingsView, AppError> {
    Ok(shell.core()?.settings_view()?)
}

#[tauri::command]
pub async fn check_settings(
    shell: State<'_, Shell>,
    draft: Settings,
) -> Result<Vec<FieldProblem>, AppError> {
    Ok(shell.core()?.check_settings(&draft))
}

#[tauri::command]
pub async fn save_settings(
    app: AppHandle,
    shell: State<'_, Shell>,
    draft: Settings,
) -> Result<SaveSettingsOutcome, AppError> {
    let core = shell.core()?;
    Ok(core
        .save_settings_from_window(&draft, |command| confirm_program(app, command))
        .await?)
}

/// Asks in a native dialog (outside the page) whether the app may run a browser command.
async fn confirm_program(app: AppHandle, command: String) -> bool {
    let (answer, answered) = oneshot::channel();
    app.dialog()
        .message(format!(
            "OX Teams Connector will run this program to open Microsoft sign-in pages:\n\n\
             {command}\n\nRun this program for sign-in?"
        ))
        .title("Use this browser command?")
        .kind(tauri_plugin_dialog::MessageDialogKind::Warning)
        .buttons(tauri_plugin_dialog::MessageDialogButtons::OkCancelCustom(
            "Use this command".into(),
            "Cancel".into(),
        ))
        .show(move |confirmed| {
            let _ = answer.send(confirmed);
        });
    answered.await.unwrap_or(false)
}

#[tauri::command]
pub async fn keychain_status(shell: State<'_, Shell>) -> Result<KeychainStatus, AppError> {
    Ok(shell.core()?.keychain_status().await)
}

/// Opens the data folder in the file manager (it works even when the database does not).
#[tauri::command]
pub async fn open_data_folder(app: AppHandle, shell: State<'_, Shell>) -> Result<(), AppError> {
    let folder = shell.data_dir.as_ref().ok_or_else(|| AppError {
        code: ErrorCode::DatabaseUnavailable,
        message: "This system has no app-data folder.".to_string(),
    })?;
    app.opener()
        .open_path(folder.display().to_string(), None::<&str>)
        .map_err(|error| AppError {
            code: ErrorCode::Internal,
            message: format!(
                "The file manager could not be opened at {}: {error}",
                folder.display()
            ),
        })
}

#[tauri::command]
pub async fn take_pending_link(shell: State<'_, Shell>) -> Result<Option<LinkEvent>, AppError> {
    Ok(shell
        .pending_link
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take())
}

#[tauri::command]
pub async fn connection_state(shell: State<'_, Shell>) -> Result<ConnectionState, AppError> {
    Ok(shell.core()?.auth().state()?)
}

/// Asks Microsoft whether the connection still works.
#[tauri::command]
pub async fn check_connection(shell: State<'_, Shell>) -> Result<ConnectionState, AppError> {
    Ok(shell.core()?.auth().check().await?)
}

/// Signs in in the browser and waits (up to five minutes) for it to come back. `only` asks
/// for just those permissions.
#[tauri::command]
pub async fn connect(
    app: AppHandle,
    shell: State<'_, Shell>,
    only: Option<Vec<String>>,
) -> Result<ConnectionState, AppError> {
    let core = shell.core()?.clone();
    let custom_scheme = core.settings()?.sign_in_redirect == SignInRedirect::CustomScheme;
    let attempt = shell.sign_ins.begin(SignInKind::Identity, custom_scheme);
    let (open, waiting) = browser_hooks(&app);
    let request = SignInRequest {
        only,
        open_browser: &open,
        on_waiting: &waiting,
        link_callback: attempt.answer,
        browser_command: None,
        timeout: SIGN_IN_TIMEOUT,
    };
    let cancelled = attempt.cancelled;
    let result = core.auth().sign_in(request, async {
        let _ = cancelled.await;
    });
    let result = result.await;
    shell.sign_ins.end(attempt.id);
    Ok(result?)
}

/// Cancels the sign-in or the bot's consent, whichever `kind` says; the other goes on.
#[tauri::command]
pub async fn cancel_connect(shell: State<'_, Shell>, kind: SignInKind) -> Result<(), AppError> {
    shell.sign_ins.cancel(kind);
    Ok(())
}

#[tauri::command]
pub async fn disconnect(shell: State<'_, Shell>) -> Result<ConnectionState, AppError> {
    let core = shell.core()?;
    core.auth().disconnect().await?;
    Ok(core.auth().state()?)
}

#[tauri::command]
pub async fn permission_report(shell: State<'_, Shell>) -> Result<PermissionReport, AppError> {
    Ok(shell.core()?.auth().permissions().await?)
}

/// Opens the app's permissions page in the admin center of the configured cloud.
#[tauri::command]
pub async fn open_admin_center(app: AppHandle, shell: State<'_, Shell>) -> Result<(), AppError> {
    let report = shell.core()?.auth().permissions().await?;
    let url = report.admin_center_url.ok_or_else(|| AppError {
        code: ErrorCode::NotConfigured,
        message: "A custom cloud has no admin center the app knows of.".to_string(),
    })?;
    open_in_browser(&app, url)
}

/// The bot card's fields; the secret only as set or not set.
#[tauri::command]
pub async fn bot_setup(shell: State<'_, Shell>) -> Result<BotSetup, AppError> {
    Ok(shell.core()?.bot().setup().await?)
}

/// Saves the bot card; a typed secret goes to the OS keychain.
#[tauri::command]
pub async fn save_bot_setup(
    shell: State<'_, Shell>,
    draft: BotSetupDraft,
) -> Result<BotSetup, AppError> {
    Ok(shell.core()?.bot().save_setup(draft).await?)
}

#[tauri::command]
pub async fn bot_state(shell: State<'_, Shell>) -> Result<BotState, AppError> {
    Ok(shell.core()?.bot().state()?)
}

/// Runs the administrator's consent in the browser, then verifies the bot (up to five minutes;
/// `cancel_connect` stops it).
#[tauri::command]
pub async fn connect_bot(app: AppHandle, shell: State<'_, Shell>) -> Result<BotState, AppError> {
    let core = shell.core()?.clone();
    let attempt = shell.sign_ins.begin(SignInKind::Bot, false);
    let (open, waiting) = browser_hooks(&app);
    let request = ConsentRequest {
        open_browser: &open,
        on_waiting: &waiting,
        browser_command: None,
        timeout: SIGN_IN_TIMEOUT,
    };
    let cancelled = attempt.cancelled;
    let result = core
        .bot()
        .connect(request, async {
            let _ = cancelled.await;
        })
        .await;
    shell.sign_ins.end(attempt.id);
    Ok(result?)
}

/// Proves the bot's setup again without the browser.
#[tauri::command]
pub async fn verify_bot(shell: State<'_, Shell>) -> Result<BotState, AppError> {
    let state = shell.core()?.bot().verify(None).await?;
    Ok(state)
}

#[tauri::command]
pub async fn disconnect_bot(
    shell: State<'_, Shell>,
    forget_secret: bool,
) -> Result<BotState, AppError> {
    let core = shell.core()?;
    core.bot().disconnect(forget_secret).await?;
    Ok(core.bot().state()?)
}

/// Writes the Teams app package to the Downloads folder, as a browser would.
#[tauri::command]
pub async fn save_app_package(shell: State<'_, Shell>) -> Result<SavedPackage, AppError> {
    let folder = ox_teams_core::paths::downloads_dir();
    std::fs::create_dir_all(&folder).map_err(|e| AppError {
        code: ErrorCode::FileUnreadable,
        message: format!("The folder {} could not be created: {e}", folder.display()),
    })?;
    let path = ox_teams_core::bot::package::free_name(&folder);
    let saved = shell.core()?.bot().save_package(&path)?;
    shell.chosen.allow([path]);
    Ok(saved)
}

/// Shows a saved package in the file manager.
#[tauri::command]
pub async fn reveal_file(
    app: AppHandle,
    shell: State<'_, Shell>,
    path: String,
) -> Result<(), AppError> {
    let path = chosen(&shell, vec![PathBuf::from(path)])?.remove(0);
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|error| AppError {
            code: ErrorCode::FileUnreadable,
            message: format!("The file manager could not be opened: {error}"),
        })
}

/// Whether the bot's app is installed for these people and channels' teams.
#[tauri::command]
pub async fn app_coverage(
    shell: State<'_, Shell>,
    recipients: Vec<Recipient>,
) -> Result<Coverage, AppError> {
    Ok(shell.core()?.bot().coverage(&recipients).await?)
}

/// Opens Teams admin center's app setup policies of the configured cloud.
#[tauri::command]
pub async fn open_teams_admin_center(
    app: AppHandle,
    shell: State<'_, Shell>,
) -> Result<(), AppError> {
    let url = shell
        .core()?
        .bot().setup()
        .await?
        .teams_admin_center
        .ok_or_else(|| AppError {
            code: ErrorCode::NotConfigured,
            message: "The app does not know Teams admin center's address in this cloud: open your cloud's Teams admin portal yourself.".to_string(),
        })?;
    open_in_browser(&app, url)
}

#[tauri::command]
pub async fn list_issues(
    shell: State<'_, Shell>,
    filter: IssueFilter,
    offset: u32,
    limit: u32,
) -> Result<IssuePage, AppError> {
    Ok(shell
        .core()?
        .issues()
        .list(&filter, offset.into(), limit.min(1000).into())?)
}

/// The next page of the table after the last row it holds (scrolling down).
#[tauri::command]
pub async fn list_issues_after(
    shell: State<'_, Shell>,
    filter: IssueFilter,
    after_id: String,
    limit: u32,
) -> Result<Vec<Issue>, AppError> {
    Ok(shell
        .core()?
        .issues()
        .list_after(&filter, &after_id, limit.min(1000).into())?)
}

#[tauri::command]
pub async fn get_issue(shell: State<'_, Shell>, id: String) -> Result<Issue, AppError> {
    Ok(shell.core()?.issues().get(&id)?)
}

/// A finding's history: each revision and state change, oldest first.
#[tauri::command]
pub async fn issue_history(
    shell: State<'_, Shell>,
    id: String,
) -> Result<Vec<IssueEvent>, AppError> {
    Ok(shell.core()?.issues().history(&id)?)
}

/// A finding's conversations in Teams: per place, the first message, the replies and updates
/// that followed it, and the answers read back.
#[tauri::command]
pub async fn issue_conversations(
    shell: State<'_, Shell>,
    id: String,
) -> Result<Vec<Conversation>, AppError> {
    Ok(shell.core()?.outbox().conversations(&id)?)
}

/// Reads the answers (reactions, replies) to findings' messages now, instead of at the next
/// poll.
#[tauri::command]
pub async fn read_answers(
    app: AppHandle,
    shell: State<'_, Shell>,
) -> Result<AnswersReport, AppError> {
    let core = shell.core()?;
    let report = core.outbox().read_answers().await?;
    if report.new > 0 {
        // Acknowledgements change the issue list too.
        events::OUTBOX.emit(
            &app,
            &ox_teams_core::outbox::DispatchReport {
                answers: report.new,
                ..Default::default()
            },
        );
    }
    Ok(report)
}

/// Counts for the filters among the findings in `states` (every state when empty).
#[tauri::command]
pub async fn issue_facets(
    shell: State<'_, Shell>,
    states: Vec<IssueState>,
) -> Result<IssueFacets, AppError> {
    Ok(shell.core()?.issues().facets(&states)?)
}

/// Asks for SARIF or JSON files (or a folder of them) in the system's file chooser and imports
/// them. `None` when the person closed the chooser.
#[tauri::command]
pub async fn choose_and_import(
    app: AppHandle,
    shell: State<'_, Shell>,
    folder: bool,
) -> Result<Option<ImportReport>, AppError> {
    let (chosen, answer) = oneshot::channel();
    let dialog = app
        .dialog()
        .file()
        .set_title(if folder {
            "Import every SARIF and JSON report in a folder"
        } else {
            "Import SARIF or JSON reports"
        })
        .add_filter(
            "Findings (SARIF 2.1.0, ox-teams-issues JSON)",
            &["sarif", "json"],
        );
    let keep = |paths: Vec<FilePath>| -> Vec<PathBuf> {
        paths
            .into_iter()
            .filter_map(|p| p.into_path().ok())
            .collect()
    };
    if folder {
        dialog.pick_folder(move |path| {
            let _ = chosen.send(path.map(|p| keep(vec![p])));
        });
    } else {
        dialog.pick_files(move |paths| {
            let _ = chosen.send(paths.map(keep));
        });
    }
    match answer.await.ok().flatten() {
        Some(paths) if !paths.is_empty() => Ok(Some(import(app, &shell, paths).await?)),
        _ => Ok(None),
    }
}

/// Every source findings arrive from by themselves, with its last check and problem.
#[tauri::command]
pub async fn list_sources(shell: State<'_, Shell>) -> Result<Vec<Source>, AppError> {
    Ok(shell.core()?.sources().list()?)
}

/// Asks for a folder in the system's chooser and watches it. `None` when the person closed
/// the chooser.
#[tauri::command]
pub async fn choose_and_watch_folder(
    app: AppHandle,
    shell: State<'_, Shell>,
) -> Result<Option<Source>, AppError> {
    let (chosen, answer) = oneshot::channel();
    app.dialog()
        .file()
        .set_title("Watch a folder that scanners or CI write SARIF and JSON reports into")
        .pick_folder(move |path| {
            let _ = chosen.send(path.and_then(|p| p.into_path().ok()));
        });
    match answer.await.ok().flatten() {
        Some(path) => Ok(Some(shell.core()?.sources().add_folder(&path)?)),
        None => Ok(None),
    }
}

/// Adds a GitHub source once GitHub accepts the token; the token goes to the OS keychain.
#[tauri::command]
pub async fn add_github_source(
    shell: State<'_, Shell>,
    draft: GitHubDraft,
    token: String,
) -> Result<Source, AppError> {
    Ok(shell
        .core()?
        .sources()
        .add_github(&draft, Secret::new(token))
        .await?)
}

/// Stops watching a source (its findings stay).
#[tauri::command]
pub async fn remove_source(shell: State<'_, Shell>, id: String) -> Result<(), AppError> {
    Ok(shell.core()?.sources().remove(&id).await?)
}

/// Checks a source now; the result arrives as a `sources-checked` event.
#[tauri::command]
pub async fn check_source(shell: State<'_, Shell>, id: String) -> Result<(), AppError> {
    Ok(shell.core()?.sources().check_soon(&id)?)
}

/// Imports files dropped on the window.
#[tauri::command]
pub async fn import_paths(
    app: AppHandle,
    shell: State<'_, Shell>,
    paths: Vec<String>,
) -> Result<ImportReport, AppError> {
    let paths = chosen(&shell, paths.into_iter().map(PathBuf::from).collect())?;
    import(app, &shell, paths).await
}

/// The paths, when the person dropped or chose each one; a page cannot name others.
fn chosen(shell: &Shell, paths: Vec<PathBuf>) -> Result<Vec<PathBuf>, AppError> {
    shell.chosen.check(paths).map_err(|message| AppError {
        code: ErrorCode::InvalidRequest,
        message,
    })
}

async fn import(
    app: AppHandle,
    shell: &Shell,
    paths: Vec<PathBuf>,
) -> Result<ImportReport, AppError> {
    let core = shell.core()?.clone();
    let cancel = shell.begin_import();
    let report = tauri::async_runtime::spawn_blocking(move || {
        let mut last = std::time::Instant::now() - std::time::Duration::from_secs(1);
        core.issues().import(
            &paths,
            &mut |progress| {
                // A few updates a second are enough for a progress bar.
                if last.elapsed() >= std::time::Duration::from_millis(100)
                    || progress.bytes_read == progress.bytes_total
                {
                    last = std::time::Instant::now();
                    events::IMPORT.emit(&app, progress);
                }
            },
            &cancel,
        )
    })
    .await
    .map_err(|e| AppError {
        code: ErrorCode::Internal,
        message: format!("The import stopped unexpectedly: {e}"),
    });
    shell.end_import();
    Ok(report??)
}

/// Messages held because another person connected, if any.
#[tauri::command]
pub async fn held_messages(shell: State<'_, Shell>) -> Result<Option<HeldMessages>, AppError> {
    Ok(shell.core()?.outbox().held()?)
}

/// Sends the held messages as the account now connected (`send`), or discards them.
#[tauri::command]
pub async fn release_held_messages(shell: State<'_, Shell>, send: bool) -> Result<u32, AppError> {
    Ok(shell.core()?.outbox().release_held(send)?)
}

#[tauri::command]
pub async fn cancel_import(shell: State<'_, Shell>) -> Result<(), AppError> {
    shell.cancel_import();
    Ok(())
}

#[tauri::command]
pub async fn list_teams(
    shell: State<'_, Shell>,
    freshness: Freshness,
) -> Result<Listing<Team>, AppError> {
    Ok(shell.core()?.directory().teams(freshness).await?)
}

#[tauri::command]
pub async fn list_channels(
    shell: State<'_, Shell>,
    team_id: String,
    freshness: Freshness,
) -> Result<Listing<Channel>, AppError> {
    Ok(shell
        .core()?
        .directory()
        .channels(&team_id, freshness)
        .await?)
}

#[tauri::command]
pub async fn list_chats(
    shell: State<'_, Shell>,
    freshness: Freshness,
) -> Result<Listing<Chat>, AppError> {
    Ok(shell.core()?.directory().chats(freshness).await?)
}

#[tauri::command]
pub async fn search_people(
    shell: State<'_, Shell>,
    query: String,
    freshness: Freshness,
) -> Result<Listing<Person>, AppError> {
    Ok(shell.core()?.directory().people(&query, freshness).await?)
}

#[tauri::command]
pub async fn preview_send(
    shell: State<'_, Shell>,
    request: SendRequest,
) -> Result<SendPreview, AppError> {
    Ok(shell.core()?.outbox().preview(&request).await?)
}

/// Queues the message and wakes the dispatcher; the window follows the deliveries.
#[tauri::command]
pub async fn send_message(
    shell: State<'_, Shell>,
    request: SendRequest,
) -> Result<Queued, AppError> {
    let queued = shell.core()?.outbox().send(&request)?;
    Ok(queued)
}

#[tauri::command]
pub async fn message_deliveries(
    shell: State<'_, Shell>,
    message_id: String,
) -> Result<Vec<Delivery>, AppError> {
    Ok(shell.core()?.outbox().message_deliveries(&message_id)?)
}

#[tauri::command]
pub async fn list_deliveries(
    shell: State<'_, Shell>,
    limit: u32,
) -> Result<Vec<Delivery>, AppError> {
    Ok(shell.core()?.outbox().deliveries(limit.min(5000))?)
}

#[tauri::command]
pub async fn resend_delivery(shell: State<'_, Shell>, id: String) -> Result<Delivery, AppError> {
    let delivery = shell.core()?.outbox().resend(&id)?;
    Ok(delivery)
}

/// Opens a sent message in Teams (the address Microsoft gave for it, nothing else).
#[tauri::command]
pub async fn open_message(
    app: AppHandle,
    shell: State<'_, Shell>,
    delivery_id: String,
) -> Result<(), AppError> {
    let url = shell.core()?.outbox().message_address(&delivery_id)?;
    open_in_browser(&app, url)
}

/// Opens a rule's help page (only web addresses).
#[tauri::command]
pub async fn open_help(
    app: AppHandle,
    shell: State<'_, Shell>,
    issue_id: String,
) -> Result<(), AppError> {
    let issue = shell.core()?.issues().get(&issue_id)?;
    open_web_page(
        &app,
        issue.help_uri,
        "The scanner gave no web page for this rule.",
    )
}

/// Opens the page of the alert a finding came from (a GitHub alert), only a web address.
#[tauri::command]
pub async fn open_alert(
    app: AppHandle,
    shell: State<'_, Shell>,
    issue_id: String,
) -> Result<(), AppError> {
    let issue = shell.core()?.issues().get(&issue_id)?;
    let missing = "This finding did not come from an alert with a web page.";
    open_web_page(&app, issue.link, missing)
}

/// Opens a finding's web address in the browser; anything but http(s) is refused as `missing`.
fn open_web_page(app: &AppHandle, url: Option<String>, missing: &str) -> Result<(), AppError> {
    let url = url
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| AppError {
            code: ErrorCode::NotFound,
            message: missing.into(),
        })?;
    open_in_browser(app, url)
}

/// Opens an address in the system browser, or says why it could not.
/// How a sign-in or an admin consent opens the system browser, and tells the window where it
/// sent the browser.
fn browser_hooks(
    app: &AppHandle,
) -> (
    impl Fn(&str) -> Result<(), String> + Send + Sync + use<>,
    impl Fn(&SignInWaiting) + Send + Sync + use<>,
) {
    let opener = app.clone();
    let emitter = app.clone();
    (
        move |url: &str| {
            opener
                .opener()
                .open_url(url, None::<&str>)
                .map_err(|e| e.to_string())
        },
        move |waiting: &SignInWaiting| {
            events::SIGN_IN.emit(&emitter, waiting);
        },
    )
}

fn open_in_browser(app: &AppHandle, url: String) -> Result<(), AppError> {
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|error| AppError {
            code: ErrorCode::BrowserFailed,
            message: format!("The browser could not be opened: {error}"),
        })
}

/// The commands' arguments and results as Rust types, listed by `build.rs` (see `ipc.rs`).
#[cfg(test)]
pub(crate) mod surface {
    use super::*;
    use crate::ipc::{CommandSignature, Types};
    include!(concat!(env!("OUT_DIR"), "/ipc_commands.rs"));
}
