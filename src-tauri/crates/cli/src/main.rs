//! `ox-teams-cli`: OX Teams Connector without the window, over the same data folder as the app.
//!
//! Exit codes: 0 success, 1 failure (one line on stderr), 2 usage error.

mod show;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use ox_teams_core::auth::{SIGN_IN_TIMEOUT, SignInRequest, SignInWaiting};
use ox_teams_core::bot::{BotSetupDraft, ConsentRequest, Identity};
use ox_teams_core::clock::SystemClock;
use ox_teams_core::directory::Freshness;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::{CancelFlag, IssueFilter, Severity};
use ox_teams_core::outbox::{Delivery, DeliveryStatus, Recipient, SendRequest};
use ox_teams_core::secrets::{KeychainStore, Secret};
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
    /// Connect Microsoft Teams: as you (sign in in the browser and accept the permissions), or
    /// as the organisation's bot (`--method bot`: an administrator consents in the browser,
    /// then the bot's setup is verified).
    Connect {
        /// `identity` (you) or `bot` (the organisation's app).
        #[arg(long, value_name = "METHOD", default_value = "identity", value_parser = ["identity", "bot"])]
        method: String,
        /// Open the sign-in address with this command (the address is added as the last
        /// argument) instead of the browser command in Settings or the system browser.
        #[arg(long, value_name = "CMD")]
        open_with: Option<String>,
        /// Ask only for the permissions that were not granted yet.
        #[arg(long)]
        missing: bool,
        /// Bot: its application (client) ID.
        #[arg(long, value_name = "GUID")]
        app_id: Option<String>,
        /// Bot: its tenant (ID or verified domain).
        #[arg(long, value_name = "TENANT")]
        bot_tenant: Option<String>,
        /// Bot: read its client secret from the first line of standard input (never from an
        /// argument, which other users can see). It goes to the OS keychain.
        #[arg(long)]
        secret_stdin: bool,
        /// Bot: consent was given before; only verify the setup.
        #[arg(long)]
        skip_consent: bool,
        /// Bot: save the application ID, tenant (and secret) without connecting.
        #[arg(long)]
        save_only: bool,
    },
    /// Forget the connection: the refresh token (or with `--method bot`, the bot's connection)
    /// is removed.
    Disconnect {
        #[arg(long, value_name = "METHOD", default_value = "identity", value_parser = ["identity", "bot"])]
        method: String,
        /// Bot: also remove its client secret from the keychain.
        #[arg(long)]
        forget_secret: bool,
    },
    /// Write the Teams app package (manifest v1.30 and icons, zipped) for the configured bot;
    /// an administrator uploads it in Teams admin center › Teams apps › Manage apps.
    AppPackage {
        #[arg(long, value_name = "FILE.zip")]
        out: PathBuf,
        /// For this application ID instead of the bot's configured one.
        #[arg(long, value_name = "GUID")]
        app_id: Option<String>,
    },
    /// Whether the bot's app is installed for these people and channels' teams.
    AppCoverage {
        /// channel:TEAM/CHANNEL or user:NAME@DOMAIN; repeatable.
        #[arg(long = "to", required = true, value_name = "RECIPIENT")]
        to: Vec<String>,
    },
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
    /// The teams you belong to.
    Teams,
    /// A team's channels you can see (TEAM is a name or an id).
    Channels { team: String },
    /// Search your organisation's directory by name or address.
    People { query: String },
    /// Your existing chats, with their ids.
    Chats,
    /// Send a message about an issue to Teams and wait for each recipient's result.
    Send {
        /// The issue's id (as `ox-teams-cli issues` shows it).
        issue: String,
        /// channel:TEAM/CHANNEL, user:NAME@DOMAIN or chat:ID; repeatable.
        #[arg(long = "to", required = true, value_name = "RECIPIENT")]
        to: Vec<String>,
        /// A comment shown on the card above the issue's details.
        #[arg(long, default_value = "")]
        comment: String,
        /// Send to all the people given as one new group chat instead of one chat each.
        #[arg(long)]
        group: bool,
        /// Who sends it: `user` (you) or `bot` (the organisation's app).
        #[arg(long = "as", value_name = "SENDER", default_value = "user")]
        sender: String,
        /// Queue it and return at once; the app or a later `ox-teams-cli` run sends it.
        #[arg(long)]
        no_wait: bool,
    },
    /// Every delivery, newest first: status, retries and the link to the message.
    Deliveries {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Send a failed or unconfirmed delivery again.
    Resend { delivery: String },
    /// Workflows: Teams messages that go out by themselves.
    #[command(subcommand)]
    Workflows(WorkflowsCommand),
}

#[derive(Subcommand)]
enum WorkflowsCommand {
    /// Every workflow: on or off, what it applies to, its recipients, its next digest.
    List,
    /// Add a workflow from a JSON file (its fields are in the README).
    Add {
        file: PathBuf,
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
    },
    Disable {
        id: String,
    },
    Remove {
        id: String,
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
        secrets: Arc::new(KeychainStore::new(paths::keychain_service(&data_dir))),
        data_dir,
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
        search_path: None,
        http: Default::default(),
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
        Command::Connect {
            method,
            open_with,
            app_id,
            bot_tenant,
            secret_stdin,
            skip_consent,
            save_only,
            ..
        } if method == "bot" => {
            connect_bot(
                &core,
                json,
                BotConnect {
                    open_with,
                    app_id,
                    bot_tenant,
                    secret_stdin,
                    skip_consent,
                    save_only,
                },
            )
            .await?
        }
        Command::Connect {
            open_with, missing, ..
        } => {
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
        Command::Disconnect {
            method,
            forget_secret,
        } if method == "bot" => {
            core.disconnect_bot(forget_secret).await?;
            if json {
                show::json(&core.bot_state()?);
            } else if forget_secret {
                println!("Disconnected the bot and removed its client secret from the keychain.");
            } else {
                println!(
                    "Disconnected the bot; its client secret stays in the keychain for the next connect."
                );
            }
        }
        Command::AppPackage { out, app_id } => {
            let saved = match app_id {
                Some(app_id) => ox_teams_core::bot::package::write(&app_id, &out)?,
                None => core.save_app_package(&out)?,
            };
            if json {
                show::json(&saved);
            } else {
                println!(
                    "Saved the Teams app package for bot {} (manifest v{}, {} bytes) to {}.",
                    saved.app_id, saved.manifest_version, saved.bytes, saved.path
                );
                println!(
                    "Upload it in Teams admin center › Teams apps › Manage apps › Upload new app, allow it, and add it under Setup policies › Installed apps."
                );
            }
        }
        Command::AppCoverage { to } => {
            let mut recipients = Vec::new();
            for spec in &to {
                recipients.push(core.resolve_recipient(spec).await?);
            }
            let coverage = core.app_coverage(&recipients).await?;
            if json {
                show::json(&coverage)
            } else {
                show::coverage(&coverage)
            }
        }
        Command::Disconnect { .. } => {
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
        Command::Teams => {
            let listing = core.teams(Freshness::Recent).await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::teams(&listing.items)
            }
        }
        Command::Channels { team } => {
            let teams = core.teams(Freshness::Recent).await?.items;
            let found = teams
                .iter()
                .find(|t| t.id == team || t.name.eq_ignore_ascii_case(team.trim()))
                .ok_or_else(|| AppError {
                    code: ErrorCode::NotFound,
                    message: format!(
                        "You are not a member of a team “{team}” (ox-teams-cli teams lists yours)."
                    ),
                })?;
            let listing = core.channels(&found.id, Freshness::Recent).await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::channels(&listing.items)
            }
        }
        Command::People { query } => {
            let listing = core.people(&query, Freshness::Recent).await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::people(&listing.items, &query)
            }
        }
        Command::Chats => {
            let listing = core.chats(Freshness::Recent).await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::chats(&listing.items)
            }
        }
        Command::Send {
            issue,
            to,
            comment,
            group,
            sender,
            no_wait,
        } => {
            let identity = match sender.as_str() {
                "user" => Identity::User,
                "bot" => Identity::Bot,
                _ => {
                    return Err(AppError {
                        code: ErrorCode::InvalidRequest,
                        message: format!("“{sender}” is not a sender: use user or bot."),
                    });
                }
            };
            let mut recipients = Vec::new();
            for spec in &to {
                recipients.push(core.resolve_recipient(spec).await?);
            }
            if group {
                let (people, others): (Vec<Recipient>, Vec<Recipient>) = recipients
                    .into_iter()
                    .partition(|r| matches!(r, Recipient::Person { .. }));
                recipients = others;
                recipients.push(Recipient::group_of(people, None));
            }
            let request = SendRequest {
                issue_id: issue,
                recipients,
                comment,
                identity,
            };
            let preview = core.outbox().preview(&request).await?;
            if !json {
                for trimmed in &preview.composition.trimmed {
                    eprintln!("note: {trimmed}");
                }
            }
            let queued = core.outbox().send(&request)?;
            let deliveries = if no_wait {
                queued.deliveries
            } else {
                wait_for(&core, &queued.message_id, json).await?
            };
            if json {
                show::json(&deliveries)
            } else {
                show::deliveries(&deliveries)
            }
            let unsent = deliveries
                .iter()
                .filter(|d| d.status != DeliveryStatus::Sent)
                .count();
            if unsent > 0 && !no_wait {
                return Err(AppError {
                    code: ErrorCode::ServiceError,
                    message: format!(
                        "{unsent} of {} recipients did not get the message yet",
                        deliveries.len()
                    ),
                });
            }
        }
        Command::Deliveries { limit } => {
            let deliveries = core.outbox().deliveries(limit)?;
            if json {
                show::json(&deliveries)
            } else {
                show::deliveries(&deliveries)
            }
        }
        Command::Resend { delivery } => {
            let queued = core.outbox().resend(&delivery)?;
            let deliveries = wait_for(&core, &queued.message_id, json).await?;
            let delivery: Vec<_> = deliveries
                .into_iter()
                .filter(|d| d.id == queued.id)
                .collect();
            if json {
                show::json(&delivery)
            } else {
                show::deliveries(&delivery)
            }
            if delivery.iter().any(|d| d.status != DeliveryStatus::Sent) {
                return Err(AppError {
                    code: ErrorCode::ServiceError,
                    message: "the delivery was not sent".into(),
                });
            }
        }
        Command::Workflows(command) => workflows(&core, json, command).await?,
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

async fn workflows(core: &Core, json: bool, command: WorkflowsCommand) -> Result<(), AppError> {
    match command {
        WorkflowsCommand::List => {
            let list = core.workflows()?;
            if json {
                show::json(&list)
            } else {
                show::workflows(&list)
            }
        }
        WorkflowsCommand::Add { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| AppError {
                code: ErrorCode::FileUnreadable,
                message: format!("{} cannot be read: {e}", file.display()),
            })?;
            let definition = core.workflow_from_json(&text).await?;
            let (workflow, run) = core.save_workflow(None, definition)?;
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
            let workflow = core.workflow(&id)?;
            let dry_run = core.dry_run(&workflow.definition, Some(&workflow.id))?;
            if json {
                show::json(&dry_run)
            } else {
                show::dry_run(&dry_run)
            }
        }
        WorkflowsCommand::RunDue => {
            let runs = core.run_due_workflows()?;
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
            let runs = core.workflow_history(&id, limit)?;
            if json {
                show::json(&runs)
            } else {
                show::runs(&runs)
            }
        }
        WorkflowsCommand::Enable { id } | WorkflowsCommand::Disable { id } => {
            let enable = core.workflow(&id).map(|w| !w.definition.enabled)?;
            let (workflow, run) = core.set_workflow_enabled(&id, enable)?;
            if json {
                show::json(&workflow)
            } else {
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
            }
        }
        WorkflowsCommand::Remove { id } => {
            core.delete_workflow(&id)?;
            if !json {
                println!("removed workflow {id}");
            }
        }
    }
    Ok(())
}

struct BotConnect {
    open_with: Option<String>,
    app_id: Option<String>,
    bot_tenant: Option<String>,
    secret_stdin: bool,
    skip_consent: bool,
    save_only: bool,
}

async fn connect_bot(core: &Core, json: bool, options: BotConnect) -> Result<(), AppError> {
    let current = core.bot_setup().await?;
    let secret = if options.secret_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| AppError {
                code: ErrorCode::InvalidRequest,
                message: format!("The client secret could not be read from standard input: {e}"),
            })?;
        Some(Secret::new(line.trim()))
    } else {
        None
    };
    if options.app_id.is_some() || options.bot_tenant.is_some() || secret.is_some() {
        core.save_bot_setup(BotSetupDraft {
            app_id: options.app_id.unwrap_or(current.app_id),
            tenant: options.bot_tenant.unwrap_or(current.tenant),
            secret,
        })
        .await?;
    }
    if options.save_only {
        let setup = core.bot_setup().await?;
        if json {
            show::json(&setup);
        } else {
            println!(
                "bot setup saved: application {} in tenant {}, client secret {}",
                setup.app_id,
                setup.tenant,
                if setup.secret_set { "set" } else { "not set" }
            );
        }
        return Ok(());
    }
    let state = if options.skip_consent {
        core.verify_bot(None).await?
    } else {
        let on_waiting = |waiting: &SignInWaiting| {
            eprintln!(
                "An administrator approves the bot's permissions in the browser. If it did not open, visit:\n\n  {}\n",
                waiting.authorize_url
            );
            if let Some(problem) = &waiting.browser_problem {
                eprintln!("(The browser could not be opened: {problem}.)");
            }
            eprintln!("Waiting for the browser… (Ctrl+C cancels)");
        };
        let request = ConsentRequest {
            open_browser: &system_browser,
            on_waiting: &on_waiting,
            browser_command: options.open_with,
            timeout: SIGN_IN_TIMEOUT,
        };
        let cancelled = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        core.connect_bot(request, cancelled).await?
    };
    if json {
        show::json(&state)
    } else {
        show::bot(&state)
    }
    Ok(())
}

/// Sends what is due until every delivery of the message has an outcome (or Ctrl+C). Another
/// process holding the outbox (the open app) sends it instead; this waits for its result.
async fn wait_for(core: &Core, message_id: &str, json: bool) -> Result<Vec<Delivery>, AppError> {
    let ids: Vec<String> = core
        .outbox()
        .message_deliveries(message_id)?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let mut told = false;
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let settled = core
        .outbox()
        .send_until_settled(&ids, stop, |deliveries, _| {
            let waiting = deliveries.iter().find(|d| !d.status.is_final());
            if !json
                && !told
                && let Some(problem) = waiting.and_then(|d| d.problem.as_ref())
            {
                eprintln!(
                    "{} (Ctrl+C stops waiting; the message stays queued)",
                    problem.message
                );
                told = true;
            }
        })
        .await?;
    if settled.stopped {
        eprintln!(
            "Stopped waiting. What was not sent stays in the outbox and goes out the next time \
             the app or ox-teams-cli sends."
        );
    }
    Ok(settled.deliveries)
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
