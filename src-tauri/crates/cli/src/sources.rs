//! Sources: folders and GitHub alert lists that findings arrive from by themselves.

use std::io::BufRead;
use std::path::PathBuf;

use clap::Subcommand;

use crate::show;
use ox_teams_core::secrets::Secret;
use ox_teams_core::sources::{AlertKind, GitHubDraft};
use ox_teams_core::{AppError, Core, ErrorCode};

#[derive(Subcommand)]
pub(crate) enum SourcesCommand {
    /// Every source: what it watches, its last check, what it found, its next check and its
    /// last problem.
    List,
    /// Watch a folder or read GitHub's alerts.
    #[command(subcommand)]
    Add(AddSource),
    /// Stop watching a source (its findings stay; a GitHub token is deleted from the keychain).
    Remove {
        #[arg(value_name = "SOURCE_ID")]
        id: String,
    },
    /// Check every source (or one) now, import what changed, and let workflows act on it.
    /// Queued messages are sent by the open app, or by `ox-teams-cli workflows run-due`.
    Poll {
        #[arg(value_name = "SOURCE_ID")]
        id: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum AddSource {
    /// A folder a scanner or CI writes .sarif / .json reports into; each report is imported
    /// once it stops changing.
    Folder {
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
    /// Code scanning, Dependabot and secret scanning alerts of repositories or an organisation.
    Github {
        /// owner/name; repeatable.
        #[arg(long = "repo", value_name = "OWNER/NAME")]
        repos: Vec<String>,
        /// Every repository of this organisation.
        #[arg(long, value_name = "ORG")]
        org: Option<String>,
        /// GitHub Enterprise Server's address (default github.com).
        #[arg(long, value_name = "URL", default_value = "")]
        url: String,
        /// code-scanning, dependabot or secret-scanning; repeatable (default: all three).
        #[arg(long = "kind", value_name = "KIND", value_parser = parse_kind)]
        kinds: Vec<AlertKind>,
        /// Minutes between checks (default 5).
        #[arg(long, value_name = "MINUTES")]
        every: Option<u64>,
        /// Read the token from the first line of standard input (never give it as an argument:
        /// it would stay in the shell's history).
        #[arg(long, required = true)]
        token_stdin: bool,
    },
}

fn parse_kind(text: &str) -> Result<AlertKind, String> {
    AlertKind::parse(text)
        .ok_or_else(|| format!("“{text}”: use code-scanning, dependabot or secret-scanning"))
}

pub(crate) async fn run(core: &Core, json: bool, command: SourcesCommand) -> Result<(), AppError> {
    match command {
        SourcesCommand::List => {
            let sources = core.sources().list()?;
            if json {
                show::json(&sources)
            } else {
                show::sources(&sources)
            }
        }
        SourcesCommand::Add(AddSource::Folder { path }) => {
            let source = core.sources().add_folder(&path)?;
            if json {
                show::json(&source)
            } else {
                println!(
                    "Watching {} (source {}). Its reports are imported at the next `sources poll` \
                     or by the open app.",
                    source.name, source.id
                );
            }
        }
        SourcesCommand::Add(AddSource::Github {
            repos,
            org,
            url,
            kinds,
            every,
            token_stdin: _,
        }) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| AppError {
                    code: ErrorCode::InvalidRequest,
                    message: format!("The token could not be read from standard input: {e}."),
                })?;
            let draft = GitHubDraft {
                url,
                repos,
                org,
                kinds,
                interval_minutes: every,
            };
            let source = core.sources().add_github(&draft, Secret::new(line)).await?;
            if json {
                show::json(&source)
            } else {
                println!(
                    "Added {} (source {}). The token is in the keychain.",
                    source.name, source.id
                );
            }
        }
        SourcesCommand::Remove { id } => {
            core.sources().remove(&id).await?;
            if !json {
                println!("Removed source {id}; its findings stay.");
            }
        }
        SourcesCommand::Poll { id } => {
            let mut report = core.sources().poll(id.as_deref()).await?;
            // A report seen for the first time is read once it has stayed the same for a
            // moment: wait for that here, so one run imports what is there (a few times at
            // most, for a file still being written).
            for _ in 0..3 {
                let pending: Vec<String> = report
                    .polls
                    .iter()
                    .filter(|p| p.pending > 0)
                    .map(|p| p.source_id.clone())
                    .collect();
                if pending.is_empty() {
                    break;
                }
                let settle = ox_teams_core::sources::FOLDER_SETTLE
                    .to_std()
                    .unwrap_or_default();
                tokio::time::sleep(settle + std::time::Duration::from_millis(200)).await;
                for source in pending {
                    let again = core.sources().poll(Some(&source)).await?;
                    for poll in again.polls {
                        if let Some(earlier) = report
                            .polls
                            .iter_mut()
                            .find(|p| p.source_id == poll.source_id)
                        {
                            earlier.found.new += poll.found.new;
                            earlier.found.updated += poll.found.updated;
                            earlier.found.fixed += poll.found.fixed;
                            earlier.found.reopened += poll.found.reopened;
                            earlier.found.suppressed += poll.found.suppressed;
                            earlier.imported.extend(poll.imported);
                            earlier.pending = poll.pending;
                            earlier.error = poll.error.or(earlier.error.take());
                        }
                    }
                }
            }
            if json {
                show::json(&report)
            } else {
                show::poll(&report)
            }
            if report.busy {
                return Err(AppError {
                    code: ErrorCode::DatabaseBusy,
                    message: "the open app is checking these sources; `ox-teams-cli sources list` \
                              shows what it found"
                        .into(),
                });
            }
            if let Some(problem) = report.polls.iter().find_map(|p| p.error.clone()) {
                return Err(problem);
            }
        }
    }
    Ok(())
}
