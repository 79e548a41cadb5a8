//! What the connection can see in Teams: teams, channels, people and chats.

use clap::Subcommand;

use crate::show;

use ox_teams_core::directory::Freshness;
use ox_teams_core::{AppError, Core, ErrorCode};

#[derive(Subcommand)]
pub(crate) enum DirectoryCommand {
    /// The teams you belong to.
    Teams,
    /// A team's channels you can see (TEAM is a name or an id).
    Channels { team: String },
    /// Search your organisation's directory by name or address.
    People { query: String },
    /// Your existing chats, with their ids.
    Chats,
}

pub(crate) async fn run(
    core: &Core,
    json: bool,
    command: DirectoryCommand,
) -> Result<(), AppError> {
    match command {
        DirectoryCommand::Teams => {
            let listing = core.directory().teams(Freshness::Recent).await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::teams(&listing.items)
            }
        }
        DirectoryCommand::Channels { team } => {
            let teams = core.directory().teams(Freshness::Recent).await?.items;
            let found = teams
                .iter()
                .find(|t| t.id == team || t.name.eq_ignore_ascii_case(team.trim()))
                .ok_or_else(|| AppError {
                    code: ErrorCode::NotFound,
                    message: format!(
                        "You are not a member of a team “{team}” (ox-teams-cli teams lists yours)."
                    ),
                })?;
            let listing = core
                .directory()
                .channels(&found.id, Freshness::Recent)
                .await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::channels(&listing.items)
            }
        }
        DirectoryCommand::People { query } => {
            let listing = core.directory().people(&query, Freshness::Recent).await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::people(&listing.items, &query)
            }
        }
        DirectoryCommand::Chats => {
            let listing = core.directory().chats(Freshness::Recent).await?;
            show::stale(&listing.stale_because);
            if json {
                show::json(&listing.items)
            } else {
                show::chats(&listing.items)
            }
        }
    }
    Ok(())
}
