//! Findings: importing reports and listing the active issues.

use clap::Subcommand;

use crate::show;
use std::path::PathBuf;

use ox_teams_core::issues::{CancelFlag, ImportReport, IssueFilter, IssueState, Severity};
use ox_teams_core::{AppError, Core, ErrorCode};

#[derive(Subcommand)]
pub(crate) enum IssuesCommand {
    /// Import findings: SARIF 2.1.0 or ox-teams-issues/1 JSON files, or folders of them; `-`
    /// reads one report from standard input (a pipeline step).
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// What a report from standard input is called: its scope when its runs name none (so
        /// each pipeline's findings are fixed only by that pipeline's next report).
        #[arg(long, value_name = "NAME", default_value = "standard input")]
        name: String,
    },
    /// List the issues, most severe first (the open ones unless --state says otherwise).
    Issues {
        /// open (new, updated, reopened or unchanged), fixed, suppressed, or all; repeatable.
        #[arg(long = "state", value_name = "STATE", value_parser = parse_state, default_value = "open")]
        states: Vec<Option<IssueState>>,
        /// Only these severities (critical, high, medium, low, info); repeatable.
        #[arg(long = "severity", value_name = "SEVERITY", value_parser = parse_severity)]
        severities: Vec<Severity>,
        /// Only issues of this tool; repeatable.
        #[arg(long = "tool", value_name = "TOOL")]
        tools: Vec<String>,
        /// Only issues whose title, rule, path or description contain this.
        #[arg(long, default_value = "")]
        text: String,
        /// Only findings nobody has answered in Teams yet (no reaction, no reply).
        #[arg(long)]
        unacknowledged: bool,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// A finding's history (each revision and state change, when, which import, what changed)
    /// and its conversations in Teams (first message, replies, updates, answers).
    History {
        #[arg(value_name = "ISSUE_ID")]
        id: String,
    },
}

pub(crate) async fn run(core: &Core, json: bool, command: IssuesCommand) -> Result<(), AppError> {
    match command {
        IssuesCommand::Import { paths, name } if paths == [PathBuf::from("-")] => {
            let report = tokio::task::block_in_place(|| {
                core.issues().import_stream(&name, std::io::stdin().lock())
            })?;
            finish_import(json, &report)?;
        }
        IssuesCommand::Import { paths, .. } => {
            let cancel = CancelFlag::default();
            let flag = cancel.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                flag.cancel();
            });
            // Progress is for a person watching; scripts get the one-line outcome only.
            let show_progress = !json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            // The import reads files and writes SQLite: off the async workers, on this one thread.
            let report = tokio::task::block_in_place(|| {
                let mut last_file = None;
                core.issues().import(
                    &paths,
                    &mut |p| {
                        if show_progress && last_file.as_ref() != Some(&p.file) {
                            eprintln!(
                                "reading {} ({} of {})",
                                p.file,
                                p.file_index + 1,
                                p.file_count
                            );
                            last_file = Some(p.file.clone());
                        }
                    },
                    &cancel,
                )
            })?;
            finish_import(json, &report)?;
        }
        IssuesCommand::Issues {
            states,
            severities,
            tools,
            text,
            unacknowledged,
            limit,
        } => {
            let filter = IssueFilter {
                severities,
                tools,
                changes: Vec::new(),
                // "all" is None: no state filter.
                states: if states.contains(&None) {
                    Vec::new()
                } else {
                    states.into_iter().flatten().collect()
                },
                text,
                unacknowledged,
            };
            let page = core.issues().list(&filter, 0, limit)?;
            if json {
                show::json(&page)
            } else {
                show::issues(&page)
            }
        }
        IssuesCommand::History { id } => {
            let issue = core.issues().get(&id)?;
            let history = core.issues().history(&id)?;
            let conversations = core.outbox().conversations(&id)?;
            if json {
                show::json(&serde_json::json!({
                    "history": history,
                    "conversations": conversations,
                }))
            } else {
                show::history(&issue, &history);
                show::conversations(&conversations);
            }
        }
    }
    Ok(())
}

fn parse_state(text: &str) -> Result<Option<IssueState>, String> {
    if text.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    IssueState::parse(text)
        .map(Some)
        .ok_or_else(|| format!("“{text}” is not a state: use open, fixed, suppressed or all"))
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text).ok_or_else(|| {
        format!("“{text}” is not a severity: use critical, high, medium, low or info")
    })
}

/// Prints what an import did; refused files or a cancel make the command fail.
fn finish_import(json: bool, report: &ImportReport) -> Result<(), AppError> {
    if json {
        show::json(report)
    } else {
        show::import(report)
    }
    if report.refused > 0 || report.cancelled {
        return Err(AppError {
            code: if report.cancelled {
                ErrorCode::Cancelled
            } else {
                ErrorCode::InvalidFindings
            },
            message: if report.cancelled {
                "the import was cancelled; files read before it were imported".into()
            } else {
                format!(
                    "{} file(s) were refused; the others were imported",
                    report.refused
                )
            },
        });
    }
    Ok(())
}
