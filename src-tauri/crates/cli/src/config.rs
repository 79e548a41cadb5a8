//! Settings: show them, or change one.

use clap::Subcommand;

use crate::show;

use ox_teams_core::settings::SettingKey;
use ox_teams_core::{AppError, Core};

#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
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

pub(crate) fn run(core: &Core, json: bool, command: ConfigCommand) -> Result<(), AppError> {
    match command {
        ConfigCommand::Show => {
            let view = core.settings_view()?;
            if json {
                show::json(&view)
            } else {
                show::settings(&view)
            }
        }
        ConfigCommand::Set { key, value } => {
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
    }
    Ok(())
}
