//! Workflows: Teams messages that go out by themselves.

use clap::Subcommand;

use crate::show;
use std::path::PathBuf;

use ox_teams_core::{AppError, Core, ErrorCode};

#[derive(Subcommand)]
pub(crate) enum WorkflowsCommand {
    /// Every workflow: on or off, what it applies to, its recipients, its next digest, and
    /// what it holds for its quiet hours.
    List,
    /// Add a workflow from a JSON file (its fields are in the README).
    Add {
        file: PathBuf,
        /// Send right away even when the workflow matches more than 200 messages' worth of
        /// existing issues (without it, such a workflow is refused with the figures).
        #[arg(long)]
        yes: bool,
    },
    /// For the current issues, who would get what. Nothing is sent.
    DryRun {
        id: String,
    },
    /// Send what is due now — periodic digests, then the outbox — and exit (for cron or a
    /// service; the open app does the same by itself).
    RunDue,
    /// What a workflow did, newest first.
    History {
        id: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    Enable {
        id: String,
        /// As for `add`: confirm sending more than 200 messages at once.
        #[arg(long)]
        yes: bool,
    },
    Disable {
        id: String,
    },
    Remove {
        id: String,
    },
}

pub(crate) async fn run(
    core: &Core,
    json: bool,
    command: WorkflowsCommand,
) -> Result<(), AppError> {
    match command {
        WorkflowsCommand::List => {
            let list = core.workflows().list()?;
            if json {
                show::json(&list)
            } else {
                show::workflows(&list, &core.workflows().quiet_holds()?)
            }
        }
        WorkflowsCommand::Add { file, yes } => {
            let text = std::fs::read_to_string(&file).map_err(|e| AppError {
                code: ErrorCode::FileUnreadable,
                message: format!("{} cannot be read: {e}", file.display()),
            })?;
            let definition = core.workflows().from_json(&text).await?;
            let (workflow, run) = core.workflows().save_as_asked(None, definition, yes)?;
            if json {
                show::json(&workflow);
            } else {
                println!(
                    "added workflow {} “{}”",
                    workflow.id, workflow.definition.name
                );
                if let Some(run) = run {
                    println!("{}", run.summary);
                }
            }
        }
        WorkflowsCommand::DryRun { id } => {
            let workflow = core.workflows().get(&id)?;
            let dry_run = core
                .workflows()
                .dry_run(&workflow.definition, Some(&workflow.id))?;
            if json {
                show::json(&dry_run)
            } else {
                show::dry_run(&dry_run)
            }
        }
        WorkflowsCommand::RunDue => {
            let runs = core.workflows().run_due()?;
            let total = core.outbox().drain().await?;
            if json {
                show::json(&serde_json::json!({ "runs": runs, "outbox": total }))
            } else {
                for run in &runs {
                    println!("{}: {}", run.workflow_id, run.summary);
                }
                show::dispatch(&total);
            }
        }
        WorkflowsCommand::History { id, limit } => {
            let runs = core.workflows().history(&id, limit)?;
            if json {
                show::json(&runs)
            } else {
                show::runs(&runs)
            }
        }
        WorkflowsCommand::Enable { id, yes } => switch(core, json, &id, true, yes)?,
        // Turning off sends nothing, so there is nothing to confirm.
        WorkflowsCommand::Disable { id } => switch(core, json, &id, false, true)?,
        WorkflowsCommand::Remove { id } => {
            core.workflows().delete(&id)?;
            if !json {
                println!("removed workflow {id}");
            }
        }
    }
    Ok(())
}

fn switch(core: &Core, json: bool, id: &str, on: bool, confirmed: bool) -> Result<(), AppError> {
    let (workflow, run) = core.workflows().set_enabled(id, on, confirmed)?;
    if json {
        show::json(&workflow);
        return Ok(());
    }
    println!(
        "workflow “{}” is {}",
        workflow.definition.name,
        if workflow.definition.enabled {
            "on"
        } else {
            "off"
        }
    );
    if let Some(run) = run {
        println!("{}", run.summary);
    }
    Ok(())
}
