//! Commands of the Workflows page: the saved workflows, how many issues each matches now, dry
//! runs, runs and quiet hours. Listed by `build.rs` beside `commands.rs`.

use ox_teams_core::AppError;
use ox_teams_core::workflows::quiet::QuietHold;
use ox_teams_core::workflows::{
    DryRun, MatchCount, SavedWorkflow, Workflow, WorkflowDefinition, WorkflowRun,
};
use tauri::State;

use crate::Shell;

#[tauri::command]
pub async fn list_workflows(shell: State<'_, Shell>) -> Result<Vec<Workflow>, AppError> {
    Ok(shell.core()?.workflows().list()?)
}

/// How many open issues each workflow matches now (the Workflows page's column).
#[tauri::command]
pub async fn workflow_match_counts(shell: State<'_, Shell>) -> Result<Vec<MatchCount>, AppError> {
    Ok(shell.core()?.workflows().match_counts()?)
}

/// Creates (`id` null) or replaces a workflow; one that covers existing issues acts at once.
#[tauri::command]
pub async fn save_workflow(
    shell: State<'_, Shell>,
    id: Option<String>,
    definition: WorkflowDefinition,
    confirmed: bool,
) -> Result<SavedWorkflow, AppError> {
    let core = shell.core()?;
    if definition.owners.is_used() {
        // Owners by e-mail must be known before the workflow's first run; later changes are
        // picked up by the app's background look-up.
        let _ = core.owners().look_up_addresses(false).await;
    }
    let (workflow, run) = core
        .workflows()
        .save_as_asked(id.as_deref(), definition, confirmed)?;
    Ok(SavedWorkflow { workflow, run })
}

#[tauri::command]
pub async fn set_workflow_enabled(
    shell: State<'_, Shell>,
    id: String,
    enabled: bool,
    confirmed: bool,
) -> Result<SavedWorkflow, AppError> {
    let (workflow, run) = shell
        .core()?
        .workflows()
        .set_enabled(&id, enabled, confirmed)?;
    Ok(SavedWorkflow { workflow, run })
}

#[tauri::command]
pub async fn delete_workflow(shell: State<'_, Shell>, id: String) -> Result<(), AppError> {
    Ok(shell.core()?.workflows().delete(&id)?)
}

/// For the current issues, who would get what; nothing is sent.
#[tauri::command]
pub async fn dry_run_workflow(
    shell: State<'_, Shell>,
    id: Option<String>,
    definition: WorkflowDefinition,
) -> Result<DryRun, AppError> {
    Ok(shell
        .core()?
        .workflows()
        .dry_run(&definition, id.as_deref())?)
}

#[tauri::command]
pub async fn workflow_history(
    shell: State<'_, Shell>,
    id: String,
) -> Result<Vec<WorkflowRun>, AppError> {
    Ok(shell.core()?.workflows().history(&id, 50)?)
}

/// What workflows hold for their quiet hours, by workflow.
#[tauri::command]
pub async fn quiet_holds(shell: State<'_, Shell>) -> Result<Vec<QuietHold>, AppError> {
    Ok(shell.core()?.workflows().quiet_holds()?)
}

/// The commands' arguments and results as Rust types, listed by `build.rs` (see `ipc.rs`).
#[cfg(test)]
pub(crate) mod surface {
    use super::*;
    use crate::ipc::{CommandSignature, Types};
    include!(concat!(env!("OUT_DIR"), "/ipc_workflow_commands.rs"));
}
