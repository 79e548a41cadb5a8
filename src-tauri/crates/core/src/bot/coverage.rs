//! Where the organisation's Teams app is installed: for chosen people (their personal scope)
//! and teams, as Graph's `installedApps` says. The bot can only message those.

use super::Bot;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::BotError;
use crate::Result;
use crate::graph::{GraphError, Page};
use crate::outbox::Recipient;

/// One recipient in the coverage check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CoverageItem {
    pub key: String,
    pub label: String,
    /// `None` when it could not be told (the reason is in `problem`).
    pub installed: Option<bool>,
    pub problem: Option<String>,
}

/// "Installed for 48 of 50 recipients".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Coverage {
    pub items: Vec<CoverageItem>,
    pub installed: u32,
    pub checked: u32,
    pub summary: String,
}

impl Bot<'_> {
    /// The app's id in the tenant's catalog, looked up again when it was not published at
    /// connect time.
    async fn catalog_id(self) -> Result<String> {
        let mut record = self.record()?.ok_or(BotError::NotConnected)?;
        if let Some(id) = record.catalog_id.clone() {
            return Ok(id);
        }
        let path = &super::catalog_lookup(&record.app_id);
        let page: Page<Value> = self
            .as_bot(|graph| async move { graph.get(path).await })
            .await?;
        let Some(id) = page.value.first().and_then(|a| a["id"].as_str()) else {
            return Err(BotError::Invalid(
                "The app is not in your organisation's Teams app catalog yet. Save the app \
                 package and upload it in Teams admin center › Teams apps › Manage apps first."
                    .into(),
            )
            .into());
        };
        record.catalog_id = Some(id.to_string());
        let mut row = self.core.store.load_bot()?;
        row.connection = Some(serde_json::to_string(&record).expect("records serialise"));
        self.core.store.save_bot(&row, self.core.clock.now())?;
        Ok(id.to_string())
    }

    /// Whether the app is installed for a person (their personal scope), through Graph.
    pub(crate) async fn installed_for_person(self, user_id: &str) -> Result<bool> {
        self.installed_under(&format!("/users/{user_id}/teamwork"))
            .await
    }

    pub(crate) async fn installed_in_team(self, team_id: &str) -> Result<bool> {
        self.installed_under(&format!("/teams/{team_id}")).await
    }

    /// `{owner}/installedApps`, filtered to this app.
    async fn installed_under(self, owner: &str) -> Result<bool> {
        let catalog = self.catalog_id().await?;
        let path = format!(
            "{owner}/installedApps?$expand=teamsApp&$filter={}",
            percent_encoding::utf8_percent_encode(
                &format!("teamsApp/id eq '{catalog}'"),
                percent_encoding::NON_ALPHANUMERIC
            )
        );
        let path = &path;
        let page: Page<Value> = self
            .as_bot(|graph| async move { graph.get(path).await })
            .await?;
        Ok(!page.value.is_empty())
    }

    /// For each chosen person and channel, whether the app is installed where the bot would
    /// post (a channel counts through its team).
    pub async fn coverage(self, recipients: &[Recipient]) -> Result<Coverage> {
        self.catalog_id().await?;
        let mut items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for recipient in recipients {
            if !seen.insert(recipient.key()) {
                continue;
            }
            let checked = match recipient {
                Recipient::Person { user_id, .. } => Some(self.installed_for_person(user_id).await),
                Recipient::Channel { team_id, .. } => Some(self.installed_in_team(team_id).await),
                Recipient::Chat { .. } | Recipient::GroupChat { .. } => None,
            };
            let (installed, problem) = match checked {
                Some(Ok(installed)) => (Some(installed), None),
                Some(Err(crate::Error::Graph(GraphError::NotFound { .. }))) => (
                    None,
                    Some(match recipient {
                        Recipient::Channel { team_name, .. } => {
                            format!("The team {team_name} no longer exists.")
                        }
                        _ => format!("{} is no longer in the directory.", recipient.label()),
                    }),
                ),
                Some(Err(error)) => return Err(error),
                None => (
                    None,
                    Some(
                        BotError::UnsupportedRecipient {
                            label: recipient.label(),
                        }
                        .to_string(),
                    ),
                ),
            };
            items.push(CoverageItem {
                key: recipient.key(),
                label: recipient.label(),
                installed,
                problem,
            });
        }
        let checked = items.len() as u32;
        let installed = items.iter().filter(|i| i.installed == Some(true)).count() as u32;
        let noun = if checked == 1 {
            "recipient"
        } else {
            "recipients"
        };
        Ok(Coverage {
            summary: format!("Installed for {installed} of {checked} {noun}"),
            items,
            installed,
            checked,
        })
    }
}
