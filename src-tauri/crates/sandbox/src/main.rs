//! `ox-teams-sandbox --port 0 [--tenant small|large|FILE.json] [--seed N]`
//! Prints `listening on http://127.0.0.1:PORT` first, then serves until killed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use ox_teams_sandbox::tenant::{self, TenantSpec};
use ox_teams_sandbox::{Sandbox, SandboxOptions, default_assets_dir};

#[derive(Parser)]
#[command(
    name = "ox-teams-sandbox",
    version,
    about = "A local Microsoft cloud: Entra ID, Graph v1.0 and the Bot Connector"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// `small` (the demo), `large` (100,000 people, 5,000 teams) or a tenant JSON file.
    #[arg(long, default_value = "small")]
    tenant: String,
    /// Seed for generated ids and people: the same seed gives the same tenant.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// People in the large tenant.
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    /// Teams in the large tenant.
    #[arg(long, default_value_t = 5_000)]
    teams: usize,
    /// Serve without Microsoft's rate limits.
    #[arg(long)]
    no_throttling: bool,
    /// The bot's application (client) id, instead of the tenant's.
    #[arg(long, value_name = "GUID")]
    bot_id: Option<String>,
    /// The bot's client secret, instead of the tenant's.
    #[arg(long, value_name = "SECRET")]
    bot_secret: Option<String>,
    /// Folder holding adaptivecards.min.js for the people page.
    #[arg(long, value_name = "DIR")]
    assets: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let started = Instant::now();
    let mut tenant = match args.tenant.as_str() {
        "small" => tenant::small(args.seed),
        "large" => tenant::large(args.seed, args.users, args.teams),
        file => {
            let spec = std::fs::read_to_string(file)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    serde_json::from_str::<TenantSpec>(&text).map_err(|e| e.to_string())
                })
                .and_then(|spec| spec.build(args.seed).map_err(|e| e.to_string()));
            match spec {
                Ok(tenant) => tenant,
                Err(error) => {
                    eprintln!("ox-teams-sandbox: cannot read the tenant in {file}: {error}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    let generated = started.elapsed();
    if let Some(id) = args.bot_id {
        tenant.bot.app_id = id;
    }
    if let Some(secret) = args.bot_secret {
        tenant.bot.secret = secret;
    }
    let summary = format!(
        "tenant {} ({}, id {}): {} people, {} teams; generated in {} ms\nadministrator {}\nbot app id {} (secret: {})",
        tenant.name,
        tenant.domain,
        tenant.id,
        tenant.users.len(),
        tenant.teams.len(),
        generated.as_millis(),
        tenant.users[tenant.admin()].upn,
        tenant.bot.app_id,
        tenant.bot.secret,
    );
    let mut options = SandboxOptions::new(tenant);
    options.seed = args.seed;
    options.throttling = !args.no_throttling;
    options.assets_dir = args.assets.or_else(default_assets_dir);
    let sandbox = match Sandbox::start(options, args.port).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!(
                "ox-teams-sandbox: cannot listen on 127.0.0.1:{}: {error}",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    // A script may stop reading after the first lines: a closed stdout must not stop the
    // sandbox (println! would panic on it).
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {}", sandbox.url());
    let _ = writeln!(out, "{summary}");
    let _ = writeln!(out, "messages and controls: {}/_sandbox/", sandbox.url());
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
