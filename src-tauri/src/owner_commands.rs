//! Commands of the Owners page: where CODEOWNERS is read from, owners mapped to Teams places,
//! e-mail owners looked up in the directory, and who owns a path. Listed by `build.rs` beside
//! `commands.rs`.

use ox_teams_core::AppError;
use ox_teams_core::directory::{Freshness, Person};
use ox_teams_core::outbox::Recipient;
use ox_teams_core::owners::{FindingOwners, OwnersLocation, OwnersView};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use crate::Shell;

/// The CODEOWNERS file, its skipped lines, and each owner with where it reaches.
#[tauri::command]
pub async fn owners_view(shell: State<'_, Shell>) -> Result<OwnersView, AppError> {
    Ok(shell.core()?.owners().view()?)
}

/// Reads CODEOWNERS from a repository folder or file, or fetches it through a GitHub source
/// (`None`: stop routing by owners), then looks up its e-mail owners when Teams is connected.
#[tauri::command]
pub async fn set_owners_location(
    shell: State<'_, Shell>,
    location: Option<OwnersLocation>,
) -> Result<OwnersView, AppError> {
    let core = shell.core()?;
    core.owners().set_location(location).await?;
    look_up_quietly(core).await;
    Ok(core.owners().view()?)
}

/// Asks for the repository folder in the system's chooser. `None` when the person closed it.
#[tauri::command]
pub async fn choose_owners_folder(
    app: AppHandle,
    shell: State<'_, Shell>,
) -> Result<Option<OwnersView>, AppError> {
    let (chosen, answer) = oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose the repository whose CODEOWNERS file says who owns each file")
        .pick_folder(move |path| {
            let _ = chosen.send(path.and_then(|p| p.into_path().ok()));
        });
    let Some(folder) = answer.await.ok().flatten() else {
        return Ok(None);
    };
    let core = shell.core()?;
    let path = folder.display().to_string();
    core.owners()
        .set_location(Some(OwnersLocation::Folder { path }))
        .await?;
    look_up_quietly(core).await;
    Ok(Some(core.owners().view()?))
}

/// Maps a GitHub user or team to a person or channel (`None`: removes the mapping).
#[tauri::command]
pub async fn map_owner(
    shell: State<'_, Shell>,
    owner: String,
    recipient: Option<Recipient>,
) -> Result<OwnersView, AppError> {
    let core = shell.core()?;
    core.owners().map(&owner, recipient.as_ref())?;
    Ok(core.owners().view()?)
}

/// Fetches CODEOWNERS from GitHub again (when it comes from there) and looks up every e-mail
/// owner in the directory again.
#[tauri::command]
pub async fn refresh_owners(shell: State<'_, Shell>) -> Result<OwnersView, AppError> {
    let core = shell.core()?;
    core.owners().refresh().await?;
    core.owners().look_up_addresses(true).await?;
    Ok(core.owners().view()?)
}

/// Who owns a path in the repository, and where they reach.
#[tauri::command]
pub async fn owners_of_path(
    shell: State<'_, Shell>,
    path: String,
) -> Result<FindingOwners, AppError> {
    Ok(shell.core()?.owners().of_path(Some(&path))?)
}

/// People in the directory whose name resembles a GitHub user or team.
#[tauri::command]
pub async fn owner_suggestions(
    shell: State<'_, Shell>,
    owner: String,
) -> Result<Vec<Person>, AppError> {
    Ok(shell
        .core()?
        .owners()
        .suggestions(&owner, Freshness::Recent)
        .await?)
}

/// Looks up addresses not known yet; when that fails (Teams not connected), the Owners page
/// says "Not looked up yet" and offers to look them up.
async fn look_up_quietly(core: &ox_teams_core::Core) {
    if let Err(error) = core.owners().look_up_addresses(false).await {
        log::info!("owners' addresses not looked up: {error}");
    }
}

/// The commands' arguments and results as Rust types, listed by `build.rs` (see `ipc.rs`).
#[cfg(test)]
pub(crate) mod surface {
    use super::*;
    use crate::ipc::{CommandSignature, Types};
    include!(concat!(env!("OUT_DIR"), "/ipc_owner_commands.rs"));
}
