//! `ox-teams-cli`: OX Teams Connector without the window, over the same data folder as the app.
//!
//! Exit codes: 0 success, 1 failure (one line on stderr), 2 usage error.

mod config;
mod connection;
mod directory;
mod issues;
mod owners;
mod send;
mod show;
mod sources;
mod workflows;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::secrets::KeychainStore;
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
    Config(config::ConfigCommand),
    #[command(flatten)]
    Connection(connection::ConnectionCommand),
    #[command(flatten)]
    Issues(issues::IssuesCommand),
    #[command(flatten)]
    Directory(directory::DirectoryCommand),
    #[command(flatten)]
    Send(send::SendCommand),
    /// Workflows: Teams messages that go out by themselves.
    #[command(subcommand)]
    Workflows(workflows::WorkflowsCommand),
    /// Sources: folders and GitHub alert lists that findings arrive from by themselves.
    #[command(subcommand)]
    Sources(sources::SourcesCommand),
    /// Who a CODEOWNERS file makes the owners of paths, and which line decides it.
    Owners(owners::OwnersCommand),
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
    // Reads a file only: no data folder needed.
    if let Command::Owners(command) = cli.command {
        return owners::run(cli.json, command);
    }
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
        Command::Config(command) => config::run(&core, json, command),
        Command::Connection(command) => connection::run(&core, json, command).await,
        Command::Issues(command) => issues::run(&core, json, command).await,
        Command::Directory(command) => directory::run(&core, json, command).await,
        Command::Send(command) => send::run(&core, json, command).await,
        Command::Workflows(command) => workflows::run(&core, json, command).await,
        Command::Sources(command) => sources::run(&core, json, command).await,
        Command::Owners(_) => unreachable!("answered before the data folder is opened"),
    }
}
