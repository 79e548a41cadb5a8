//! `ox-teams-cli`: OX Teams Connector without the window, over the same data folder as the app.
//!
//! Exit codes: 0 success, 1 failure (one line on stderr), 2 usage error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use ox_teams_core::clock::SystemClock;
use ox_teams_core::secrets::{KeychainStatus, KeychainStore};
use ox_teams_core::settings::SettingKey;
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
    /// Data folder, database, cloud, keychain and connection at a glance.
    Status,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print every setting and the URLs in force.
    Show,
    /// Change one setting. Keys: cloud (global|gcc|gcchigh|dod|china|custom), authority-url,
    /// graph-url, bot-url, tenant, client-id, browser-command. An empty VALUE clears it.
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
    let runtime = tokio::runtime::Builder::new_current_thread()
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
        search_path: None,
    })?;
    match cli.command {
        Command::Config(ConfigCommand::Show) => {
            let view = core.settings_view()?;
            if cli.json {
                print_json(&view);
            } else {
                let settings = &view.settings;
                let or = |value: &str, empty: &str| {
                    if value.is_empty() {
                        empty.to_string()
                    } else {
                        value.to_string()
                    }
                };
                println!(
                    "cloud            {} ({})",
                    settings.cloud.as_str(),
                    settings.cloud.label()
                );
                println!("  sign-in        {}", view.endpoints.authority);
                println!("  graph          {}", view.endpoints.graph);
                println!(
                    "  bot connector  {}",
                    view.endpoints
                        .bot_connector
                        .as_deref()
                        .unwrap_or("(from each conversation)")
                );
                println!("tenant           {}", settings.tenant);
                println!("client-id        {}", or(&settings.client_id, "(not set)"));
                println!(
                    "browser-command  {}",
                    or(&settings.browser_command, "(system browser)")
                );
                println!("data folder      {}", view.data_dir);
            }
        }
        Command::Config(ConfigCommand::Set { key, value }) => {
            let settings = core.set_setting(key, &value)?;
            if cli.json {
                print_json(&core.settings_view()?);
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
            let status = core.status().await?;
            if cli.json {
                print_json(&status);
            } else {
                println!("OX Teams Connector {}", status.version);
                println!("data folder  {}", status.data_dir);
                println!(
                    "database     {} (schema {})",
                    status.database_path, status.schema_version
                );
                println!(
                    "cloud        {}, tenant {}",
                    status.cloud_label, status.tenant
                );
                match &status.client_id {
                    Some(id) => println!("client id    {id}"),
                    None => println!(
                        "client id    not set: register an app in Entra and run \
                         `ox-teams-cli config set client-id GUID`"
                    ),
                }
                match &status.keychain {
                    KeychainStatus::Available { backend } => println!("keychain     {backend}"),
                    KeychainStatus::Unavailable { message, .. } => {
                        println!("keychain     unavailable: {message}")
                    }
                }
                println!("teams        not connected");
            }
        }
    }
    Ok(())
}

fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("reports serialise")
    );
}
