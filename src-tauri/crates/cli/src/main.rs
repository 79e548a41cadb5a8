//! `ox-teams-cli`: OX Teams Connector without the window, over the same data folder as the app.
//!
//! Exit codes: 0 success, 1 failure (one line on stderr), 2 usage error.

mod show;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use ox_teams_core::auth::{SIGN_IN_TIMEOUT, SignInRequest, SignInWaiting};
use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::{CancelFlag, IssueFilter, Severity};
use ox_teams_core::secrets::KeychainStore;
use ox_teams_core::settings::{SettingKey, SignInRedirect};
use ox_teams_core::{AppError, Core, CoreOptions, ErrorCode, paths};

#[derive(Parser)]
#[command(
    name = "ox-teams-cli",
    version,
    about = "OX Teams Connector from the command line"
)]
struct Cli {
    /// The data folder (default: the app's own, or $OX_TEAMS_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR", env = paths::DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show or change settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Data folder, database, cloud, keychain and the Teams connection (checked with Microsoft).
    Status,
    /// Connect Microsoft Teams: sign in in the browser and accept the permissions.
    Connect {
        /// Open the sign-in address with this command (the address is added as the last
        /// argument) instead of the browser command in Settings or the system browser.
        #[arg(long, value_name = "CMD")]
        open_with: Option<String>,
        /// Ask only for the permissions that were not granted yet.
        #[arg(long)]
        missing: bool,
    },
    /// Forget the connection: the refresh token leaves the keychain.
    Disconnect,
    /// The nine permissions: requested, granted, and what the tenant records.
    Permissions,
    /// Import findings: SARIF 2.1.0 or ox-teams-issues/1 JSON files, or folders of them.
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// List the active issues, most severe first.
    Issues {
        /// Only these severities (critical, high, medium, low, info); repeatable.
        #[arg(long = "severity", value_name = "SEVERITY", value_parser = parse_severity)]
        severities: Vec<Severity>,
        /// Only issues of this tool; repeatable.
        #[arg(long = "tool", value_name = "TOOL")]
        tools: Vec<String>,
        /// Only issues whose title, rule, path or description contain this.
        #[arg(long, default_value = "")]
        text: String,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text).ok_or_else(|| {
        format!("“{text}” is not a severity: use critical, high, medium, low or info")
    })
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print every setting and the URLs in force.
    Show,
    /// Change one setting. Keys: cloud (global|gcc|gcchigh|dod|china|custom), authority-url,
    /// graph-url, bot-url, tenant, client-id, browser-command, sign-in-redirect
    /// (loopback|custom-scheme). An empty VALUE clears it.
    Set {
        #[arg(value_parser = parse_key)]
        key: SettingKey,
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
}

fn parse_key(text: &str) -> Result<SettingKey, String> {
    text.parse::<SettingKey>().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let json = cli.json;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if json {
                eprintln!(
                    "{}",
                    serde_json::to_string(&error).expect("errors serialise")
                );
            } else {
                eprintln!("ox-teams-cli: {}", error.message);
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), AppError> {
    let data_dir = cli
        .data_dir
        .or_else(paths::default_data_dir)
        .ok_or_else(|| AppError {
            code: ErrorCode::DatabaseUnavailable,
            message: "No data folder: this system has no app-data folder; pass --data-dir DIR."
                .to_string(),
        })?;
    let core = Core::open(CoreOptions {
        data_dir,
        secrets: Arc::new(KeychainStore::new(paths::APP_IDENTIFIER)),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
        search_path: None,
    })?;
    let json = cli.json;
    match cli.command {
        Command::Config(ConfigCommand::Show) => {
            let view = core.settings_view()?;
            if json {
                show::json(&view)
            } else {
                show::settings(&view)
            }
        }
        Command::Config(ConfigCommand::Set { key, value }) => {
            let settings = core.set_setting(key, &value)?;
            if json {
                show::json(&core.settings_view()?);
            } else {
                let shown = settings.get(key);
                println!(
                    "{} = {}",
                    key.as_str(),
                    if shown.is_empty() {
                        "(cleared)"
                    } else {
                        &shown
                    }
                );
            }
        }
        Command::Status => {
            // Ask Microsoft whether the connection still works; offline, say what is known.
            let check = core.check_connection().await;
            let status = core.status().await?;
            if json {
                show::json(&status);
            } else {
                show::status(&status, check.err().map(|e| AppError::from(e).message));
            }
        }
        Command::Connect { open_with, missing } => {
            if core.settings()?.sign_in_redirect == SignInRedirect::CustomScheme && !json {
                eprintln!(
                    "The command line signs in through http://localhost (the custom-scheme redirect is for the app)."
                );
            }
            let only = if missing {
                Some(core.permission_report().await?.missing)
            } else {
                None
            };
            if only.as_ref().is_some_and(Vec::is_empty) {
                eprintln!("Every permission is already granted.");
                return Ok(());
            }
            let on_waiting = |waiting: &SignInWaiting| {
                eprintln!(
                    "Sign in and accept the permissions in your browser. If it did not open, visit:\n\n  {}\n",
                    waiting.authorize_url
                );
                if let Some(problem) = &waiting.browser_problem {
                    eprintln!("(The browser could not be opened: {problem}.)");
                }
                eprintln!("Waiting for the browser… (Ctrl+C cancels)");
            };
            let request = SignInRequest {
                only,
                open_browser: &system_browser,
                on_waiting: &on_waiting,
                link_callback: None,
                browser_command: open_with,
                timeout: SIGN_IN_TIMEOUT,
            };
            let cancelled = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            let state = core.sign_in(request, cancelled).await?;
            if json {
                show::json(&state)
            } else {
                show::connection(&state)
            }
        }
        Command::Disconnect => {
            core.disconnect().await?;
            if json {
                show::json(&core.connection_state()?);
            } else {
                println!(
                    "Disconnected: the sign-in was forgotten and its refresh token removed from the keychain."
                );
            }
        }
        Command::Import { paths } => {
            let core = Arc::new(core);
            let worker = core.clone();
            let cancel = CancelFlag::default();
            let flag = cancel.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                flag.cancel();
            });
            // Progress is for a person watching; scripts get the one-line outcome only.
            let show_progress = !json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let report = tokio::task::spawn_blocking(move || {
                let mut last_file = None;
                worker.import_issues(
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
            })
            .await
            .map_err(|e| AppError {
                code: ErrorCode::Internal,
                message: e.to_string(),
            })??;
            if json {
                show::json(&report)
            } else {
                show::import(&report)
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
        }
        Command::Issues {
            severities,
            tools,
            text,
            limit,
        } => {
            let filter = IssueFilter {
                severities,
                tools,
                changes: Vec::new(),
                text,
            };
            let page = core.issues(&filter, 0, limit)?;
            if json {
                show::json(&page)
            } else {
                show::issues(&page)
            }
        }
        Command::Permissions => {
            let report = core.permission_report().await?;
            if json {
                show::json(&report)
            } else {
                show::permissions(&report)
            }
        }
    }
    Ok(())
}

/// The system's own way of opening an address.
fn system_browser(url: &str) -> Result<(), String> {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", ""])
    } else {
        ("xdg-open", vec![])
    };
    let command = std::iter::once(program)
        .chain(args)
        .map(shell_quote)
        .collect::<Vec<_>>()
        .join(" ");
    ox_teams_core::auth::launch(&command, url)
}

fn shell_quote(word: &str) -> String {
    if word.is_empty() {
        "''".into()
    } else {
        word.to_string()
    }
}
