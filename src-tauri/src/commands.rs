//! Commands the window may call. Each is a few lines over `ox-teams-core`; errors reach the
//! window as `{code, message}`. They are `async` so that none runs on the UI thread.

use ox_teams_core::auth::{
    ConnectionState, PermissionReport, SIGN_IN_TIMEOUT, SignInRequest, SignInWaiting,
};
use ox_teams_core::links::LinkEvent;
use ox_teams_core::secrets::KeychainStatus;
use ox_teams_core::settings::{FieldProblem, Settings};
use ox_teams_core::{AppError, ErrorCode, SaveSettingsOutcome, SettingsView, Startup};
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_opener::OpenerExt;

use crate::{SIGN_IN_EVENT, Shell};

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
    shell: State<'_, Shell>,
    draft: Settings,
) -> Result<SaveSettingsOutcome, AppError> {
    Ok(shell.core()?.save_settings(&draft)?)
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
    Ok(shell.core()?.connection_state()?)
}

/// Asks Microsoft whether the connection still works.
#[tauri::command]
pub async fn check_connection(shell: State<'_, Shell>) -> Result<ConnectionState, AppError> {
    Ok(shell.core()?.check_connection().await?)
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
    let (cancelled, answer) = shell.begin_sign_in();
    let opener = app.clone();
    let open = move |url: &str| {
        opener
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    };
    let emitter = app.clone();
    let waiting = move |waiting: &SignInWaiting| {
        let _ = emitter.emit_to("main", SIGN_IN_EVENT, waiting);
    };
    let request = SignInRequest {
        only,
        open_browser: &open,
        on_waiting: &waiting,
        link_callback: Some(answer),
        browser_command: None,
        timeout: SIGN_IN_TIMEOUT,
    };
    let result = core.sign_in(request, async {
        let _ = cancelled.await;
    });
    let result = result.await;
    shell.end_sign_in();
    Ok(result?)
}

#[tauri::command]
pub async fn cancel_connect(shell: State<'_, Shell>) -> Result<(), AppError> {
    shell.cancel_sign_in();
    Ok(())
}

#[tauri::command]
pub async fn disconnect(shell: State<'_, Shell>) -> Result<ConnectionState, AppError> {
    let core = shell.core()?;
    core.disconnect().await?;
    Ok(core.connection_state()?)
}

#[tauri::command]
pub async fn permission_report(shell: State<'_, Shell>) -> Result<PermissionReport, AppError> {
    Ok(shell.core()?.permission_report().await?)
}

/// Opens the app's permissions page in the admin center of the configured cloud.
#[tauri::command]
pub async fn open_admin_center(app: AppHandle, shell: State<'_, Shell>) -> Result<(), AppError> {
    let report = shell.core()?.permission_report().await?;
    let url = report.admin_center_url.ok_or_else(|| AppError {
        code: ErrorCode::NotConfigured,
        message: "A custom cloud has no admin center the app knows of.".to_string(),
    })?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|error| AppError {
            code: ErrorCode::BrowserFailed,
            message: format!("The browser could not be opened: {error}"),
        })
}
