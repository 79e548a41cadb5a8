//! Commands the window may call. Each is a few lines over `ox-teams-core`; errors reach the
//! window as `{code, message}`. They are `async` so that none runs on the UI thread.

use ox_teams_core::links::LinkEvent;
use ox_teams_core::permissions::PermissionScope;
use ox_teams_core::secrets::KeychainStatus;
use ox_teams_core::settings::{FieldProblem, Settings};
use ox_teams_core::{AppError, ErrorCode, SaveSettingsOutcome, SettingsView, Startup};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use crate::Shell;

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
pub async fn permission_scopes() -> Result<Vec<PermissionScope>, AppError> {
    Ok(ox_teams_core::permissions::requested_scopes())
}
