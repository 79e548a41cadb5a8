//! Connecting Microsoft Teams as you or as the bot, the permissions it granted, and the bot's app package.

use clap::Subcommand;

use crate::show;
use std::path::PathBuf;

use ox_teams_core::auth::{SIGN_IN_TIMEOUT, SignInRequest, SignInWaiting};
use ox_teams_core::bot::{BotSetupDraft, ConsentRequest};
use ox_teams_core::secrets::Secret;
use ox_teams_core::settings::SignInRedirect;
use ox_teams_core::{AppError, Core, ErrorCode};

#[derive(Subcommand)]
pub(crate) enum ConnectionCommand {
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
        /// Also ask for an optional permission (ChannelMessage.Read.All: read answers in
        /// channel threads); repeatable.
        #[arg(long = "add", value_name = "PERMISSION")]
        add: Vec<String>,
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
}

pub(crate) async fn run(
    core: &Core,
    json: bool,
    command: ConnectionCommand,
) -> Result<(), AppError> {
    match command {
        ConnectionCommand::Status => {
            // Ask Microsoft whether the connection still works; offline, say what is known.
            let check = core.auth().check().await;
            let status = core.status().await?;
            if json {
                show::json(&status);
            } else {
                show::status(&status, check.err().map(|e| AppError::from(e).message));
            }
        }
        ConnectionCommand::Connect {
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
                core,
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
        ConnectionCommand::Connect {
            open_with,
            missing,
            add,
            ..
        } => {
            if core.settings()?.sign_in_redirect == SignInRedirect::CustomScheme && !json {
                eprintln!(
                    "The command line signs in through http://localhost (the custom-scheme redirect is for the app)."
                );
            }
            let only = match (missing, add.is_empty()) {
                (false, true) => None,
                (true, _) => Some(
                    core.auth()
                        .permissions()
                        .await?
                        .missing
                        .into_iter()
                        .chain(add)
                        .collect(),
                ),
                (false, false) => Some(add),
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
            let state = core.auth().sign_in(request, cancelled).await?;
            if json {
                show::json(&state)
            } else {
                show::connection(&state)
            }
        }
        ConnectionCommand::Disconnect {
            method,
            forget_secret,
        } if method == "bot" => {
            core.bot().disconnect(forget_secret).await?;
            if json {
                show::json(&core.bot().state()?);
            } else if forget_secret {
                println!("Disconnected the bot and removed its client secret from the keychain.");
            } else {
                println!(
                    "Disconnected the bot; its client secret stays in the keychain for the next connect."
                );
            }
        }
        ConnectionCommand::AppPackage { out, app_id } => {
            let saved = match app_id {
                Some(app_id) => ox_teams_core::bot::package::write(&app_id, &out)?,
                None => core.bot().save_package(&out)?,
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
        ConnectionCommand::AppCoverage { to } => {
            let mut recipients = Vec::new();
            for spec in &to {
                recipients.push(core.directory().resolve_recipient(spec).await?);
            }
            let coverage = core.bot().coverage(&recipients).await?;
            if json {
                show::json(&coverage)
            } else {
                show::coverage(&coverage)
            }
        }
        ConnectionCommand::Disconnect { .. } => {
            core.auth().disconnect().await?;
            if json {
                show::json(&core.auth().state()?);
            } else {
                println!(
                    "Disconnected: the sign-in was forgotten and its refresh token removed from the keychain."
                );
            }
        }
        ConnectionCommand::Permissions => {
            let report = core.auth().permissions().await?;
            if json {
                show::json(&report)
            } else {
                show::permissions(&report)
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
    let current = core.bot().setup().await?;
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
        core.bot()
            .save_setup(BotSetupDraft {
                app_id: options.app_id.unwrap_or(current.app_id),
                tenant: options.bot_tenant.unwrap_or(current.tenant),
                secret,
            })
            .await?;
    }
    if options.save_only {
        let setup = core.bot().setup().await?;
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
        core.bot().verify(None).await?
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
        core.bot().connect(request, cancelled).await?
    };
    if json {
        show::json(&state)
    } else {
        show::bot(&state)
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
