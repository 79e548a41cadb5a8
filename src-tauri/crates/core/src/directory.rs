//! Who and where messages can go: the person's teams and their channels, existing chats, and
//! people found by a server-side search of the directory. Listings are cached in SQLite: a
//! picker shows the cached one at once and asks again for a fresh one.

use crate::Error;
use crate::graph::GraphError;
use crate::outbox::OutboxError;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Result;
use crate::bot::Identity;
use crate::graph::{Graph, GraphChat};
use crate::outbox::Recipient;

/// Where messages can go: teams, channels, chats and people, as listed for the picker or named in a
/// script. A view of the core ([`crate::Core::directory`]).
#[derive(Clone, Copy)]
pub struct Directory<'a> {
    pub(crate) core: &'a crate::Core,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChannelKind {
    Standard,
    Private,
    Shared,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Channel {
    pub id: String,
    pub team_id: String,
    pub name: String,
    pub description: String,
    pub kind: ChannelKind,
    /// The channel as a place to send to.
    pub recipient: Recipient,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub mail: String,
    pub job_title: String,
    /// The person as a place to send to (their one-on-one chat).
    pub recipient: Recipient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChatKind {
    OneOnOne,
    Group,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Chat {
    pub id: String,
    pub kind: ChatKind,
    /// The topic, or the other members' names.
    pub title: String,
    pub members: Vec<String>,
    /// The chat as a place to send to.
    pub recipient: Recipient,
}

/// A list as last fetched, and when.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Listing<T> {
    pub items: Vec<T>,
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    /// Microsoft could not be asked just now; these are the cached ones.
    pub stale_because: Option<String>,
}

/// How fresh a listing must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Freshness {
    /// Whatever is cached, if anything.
    Cached,
    /// Ask Microsoft unless the cache is younger than a minute.
    Recent,
}

const RECENT: chrono::Duration = chrono::Duration::seconds(60);
const MAX_CHATS: usize = 500;
/// Teams listed when the bot reads the whole organisation.
const MAX_TEAMS: usize = 5000;

impl Directory<'_> {
    /// The cached listing when fresh enough, else a new one from Graph (kept for next time);
    /// when Graph fails, the cached one with the reason.
    async fn listing<T, F, Fut>(
        self,
        kind: &str,
        scope: &str,
        freshness: Freshness,
        fetch: F,
    ) -> Result<Listing<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Fn(Graph) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<Vec<T>, crate::graph::GraphError>>,
    {
        let cached = self
            .core
            .store
            .cached(kind, scope)?
            .and_then(|(payload, at)| {
                serde_json::from_str::<Vec<T>>(&payload)
                    .ok()
                    .map(|items| (items, at))
            });
        let now = self.core.clock.now();
        if let Some((_, at)) = &cached
            && (freshness == Freshness::Cached || now - *at < RECENT)
        {
            let (items, at) = cached.expect("checked");
            return Ok(Listing {
                items,
                fetched_at: at,
                stale_because: None,
            });
        }
        let fetched = match self.identity()? {
            Identity::User => self.core.auth().as_user(fetch).await,
            Identity::Bot => self.core.bot().as_bot(fetch).await,
        };
        match fetched {
            Ok(items) => {
                self.core.store.cache(
                    kind,
                    scope,
                    &serde_json::to_string(&items).unwrap_or_default(),
                    now,
                )?;
                Ok(Listing {
                    items,
                    fetched_at: now,
                    stale_because: None,
                })
            }
            Err(error) => match cached {
                Some((items, at)) => Ok(Listing {
                    items,
                    fetched_at: at,
                    stale_because: Some(error.to_string()),
                }),
                None => Err(error),
            },
        }
    }

    /// Who reads the directory: the signed-in person, or the bot when only the bot is
    /// connected.
    pub(crate) fn identity(&self) -> Result<Identity> {
        Ok(
            if self.core.store.load_connection()?.is_none() && self.core.bot().record()?.is_some() {
                Identity::Bot
            } else {
                Identity::User
            },
        )
    }

    /// The teams the signed-in person belongs to (all the organisation's teams when only the
    /// bot is connected), by name.
    pub async fn teams(self, freshness: Freshness) -> Result<Listing<Team>> {
        let as_bot = self.identity()? == Identity::Bot;
        let scope = if as_bot { "bot" } else { "" };
        self.listing("teams", scope, freshness, |graph| async move {
            let found = if as_bot {
                graph.all_teams(MAX_TEAMS).await?
            } else {
                graph.joined_teams().await?
            };
            let mut teams: Vec<Team> = found
                .into_iter()
                .map(|t| Team {
                    name: t.display_name.unwrap_or_else(|| t.id.clone()),
                    id: t.id,
                    description: t.description.unwrap_or_default(),
                })
                .collect();
            teams.sort_by_key(|t| t.name.to_lowercase());
            Ok(teams)
        })
        .await
    }

    /// A team's channels the person can see (private and shared ones only if a member).
    pub async fn channels(self, team_id: &str, freshness: Freshness) -> Result<Listing<Channel>> {
        // The team's name as last listed (a picker lists the teams first) labels its channels.
        let team_name = match self.teams(Freshness::Cached).await {
            Ok(teams) => teams.items.into_iter().find(|t| t.id == team_id),
            Err(_) => None,
        }
        .map_or_else(|| team_id.to_string(), |t| t.name);
        let team_name = &team_name;
        self.listing("channels", team_id, freshness, |graph| async move {
            let mut channels: Vec<Channel> = graph
                .channels(team_id)
                .await?
                .into_iter()
                .map(|c| Channel {
                    name: c.display_name.clone().unwrap_or_else(|| c.id.clone()),
                    recipient: Recipient::Channel {
                        team_id: team_id.to_string(),
                        channel_id: c.id.clone(),
                        team_name: team_name.clone(),
                        channel_name: c.display_name.unwrap_or_else(|| c.id.clone()),
                    },
                    id: c.id,
                    team_id: team_id.to_string(),
                    description: c.description.unwrap_or_default(),
                    kind: match c.membership_type.as_deref() {
                        Some("private") => ChannelKind::Private,
                        Some("shared") => ChannelKind::Shared,
                        _ => ChannelKind::Standard,
                    },
                })
                .collect();
            // General first, then by name, as Teams lists them.
            channels.sort_by_key(|c| (c.name != "General", c.name.to_lowercase()));
            Ok(channels)
        })
        .await
    }

    /// The person's existing chats, most recent first.
    pub async fn chats(self, freshness: Freshness) -> Result<Listing<Chat>> {
        if self.identity()? == Identity::Bot {
            return Err(crate::bot::BotError::UnsupportedRecipient {
                label: "existing chats".into(),
            }
            .into());
        }
        let me = self
            .core
            .store
            .load_connection()?
            .map(|r| r.user_id)
            .unwrap_or_default();
        let me = &me;
        self.listing("chats", "", freshness, |graph| async move {
            Ok(graph
                .my_chats(MAX_CHATS)
                .await?
                .into_iter()
                .map(|c| chat_of(c, me))
                .collect())
        })
        .await
    }

    /// People whose name or address starts with `query`, searched by Graph over the whole
    /// directory. Recent searches are cached for the person typing the same thing again.
    pub async fn people(self, query: &str, freshness: Freshness) -> Result<Listing<Person>> {
        let query = query.trim();
        if query.chars().count() < 2 {
            return Ok(Listing {
                items: Vec::new(),
                fetched_at: self.core.clock.now(),
                stale_because: None,
            });
        }
        let key = query.to_lowercase();
        self.listing("people", &key, freshness, |graph| async move {
            Ok(graph
                .search_people(query, 25)
                .await?
                .into_iter()
                .map(|u| {
                    let name = u.display_name.unwrap_or_default();
                    let mail = u.mail.or(u.user_principal_name).unwrap_or_default();
                    Person {
                        recipient: Recipient::Person {
                            user_id: u.id.clone(),
                            name: name.clone(),
                            mail: mail.clone(),
                        },
                        name,
                        mail,
                        job_title: u.job_title.unwrap_or_default(),
                        id: u.id,
                    }
                })
                .collect())
        })
        .await
    }
}

impl Directory<'_> {
    /// Reads a recipient as scripts write it: `channel:TEAM/CHANNEL` (names or ids),
    /// `user:UPN` (or an object id) and `chat:ID`.
    pub async fn resolve_recipient(self, spec: &str) -> Result<Recipient> {
        use crate::directory::Freshness;
        let unknown = |text: String| -> Error { OutboxError::UnknownRecipient(text).into() };
        let (kind, value) = spec.split_once(':').ok_or_else(|| {
            unknown(format!(
                "“{spec}” is not a recipient: write channel:TEAM/CHANNEL, user:NAME@DOMAIN or chat:ID."
            ))
        })?;
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b.trim());
        match kind {
            "channel" => {
                let (team, channel) = value.split_once('/').ok_or_else(|| {
                    unknown(format!(
                        "“{spec}” names no channel: write channel:TEAM/CHANNEL."
                    ))
                })?;
                let teams = self.teams(Freshness::Recent).await?.items;
                let team = teams
                    .iter()
                    .find(|t| t.id == team || same(&t.name, team))
                    .ok_or_else(|| unknown(format!("You are not a member of a team “{team}”.")))?;
                let channels = self.channels(&team.id, Freshness::Recent).await?.items;
                let channel = channels
                    .iter()
                    .find(|c| c.id == channel || same(&c.name, channel))
                    .ok_or_else(|| {
                        unknown(format!(
                            "{} has no channel “{channel}” that you can see.",
                            team.name
                        ))
                    })?;
                Ok(Recipient::Channel {
                    team_id: team.id.clone(),
                    channel_id: channel.id.clone(),
                    team_name: team.name.clone(),
                    channel_name: channel.name.clone(),
                })
            }
            "user" => {
                let lookup = |graph: crate::graph::Graph| async move { graph.user(value).await };
                let found = match self.identity()? {
                    Identity::User => self.core.auth().as_user(lookup).await,
                    Identity::Bot => self.core.bot().as_bot(lookup).await,
                };
                let user = found.map_err(|e| match e {
                    Error::Graph(GraphError::NotFound { .. }) => unknown(format!(
                        "Nobody in your organisation's directory is “{value}”."
                    )),
                    other => other,
                })?;
                Ok(Recipient::Person {
                    name: user.display_name.unwrap_or_default(),
                    mail: user.mail.or(user.user_principal_name).unwrap_or_default(),
                    user_id: user.id,
                })
            }
            "chat" => {
                let chats = self.chats(Freshness::Recent).await?.items;
                let chat = chats.iter().find(|c| c.id == value).ok_or_else(|| {
                    unknown(format!(
                        "You are in no chat with the id “{value}” (ox-teams-cli chats lists them)."
                    ))
                })?;
                Ok(Recipient::Chat {
                    chat_id: chat.id.clone(),
                    title: chat.title.clone(),
                })
            }
            other => Err(unknown(format!(
                "“{other}:” is not a kind of recipient: use channel:, user: or chat:."
            ))),
        }
    }
}

fn chat_of(chat: GraphChat, me: &str) -> Chat {
    let others: Vec<String> = chat
        .members
        .iter()
        .filter(|m| m.user_id.as_deref() != Some(me))
        .filter_map(|m| m.display_name.clone())
        .collect();
    let title = chat
        .topic
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| others.join(", "));
    Chat {
        recipient: Recipient::Chat {
            chat_id: chat.id.clone(),
            title: title.clone(),
        },
        id: chat.id,
        kind: if chat.chat_type == "oneOnOne" {
            ChatKind::OneOnOne
        } else {
            ChatKind::Group
        },
        title,
        members: chat
            .members
            .iter()
            .filter_map(|m| m.display_name.clone())
            .collect(),
    }
}
