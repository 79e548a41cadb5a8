//! Checking, queueing and resending messages.

use std::collections::HashSet;

use super::{
    Card, Delivery, Follow, MAX_RECIPIENTS, NewMessage, Origin, Outbox, OutboxError, Purpose,
    Queued, Recipient, RecipientCheck, SendPreview, SendRequest, card_budget,
};
use crate::auth::ConnectionState;
use crate::bot::{BotError, BotState, Identity};
use crate::compose::{Composition, Context, compose};
use crate::error::{AppError, ErrorCode};
use crate::graph::GraphError;
use crate::issues::Issue;
use crate::mentions::Mention;
use crate::owners::{Addressed, Routing, address};
use crate::{Error, Result};

impl Outbox<'_> {
    /// The name shown beside a person's comment.
    fn author(&self) -> Result<Option<String>> {
        Ok(self
            .core
            .store
            .load_connection()?
            .map(|c| c.user_name)
            .filter(|a| !a.is_empty()))
    }

    /// What stops a send before anything is queued.
    fn blocking(request: &SendRequest) -> Vec<OutboxError> {
        let mut problems = Vec::new();
        if request.recipients.is_empty() {
            problems.push(OutboxError::NoRecipients);
        }
        if request.recipients.len() > MAX_RECIPIENTS {
            problems.push(OutboxError::TooManyRecipients {
                count: request.recipients.len(),
                limit: MAX_RECIPIENTS,
            });
        }
        if request
            .recipients
            .iter()
            .any(|r| matches!(r, Recipient::GroupChat { people, .. } if people.len() < 2))
        {
            problems.push(OutboxError::GroupTooSmall);
        }
        if request.identity == Identity::Bot {
            problems.extend(
                request
                    .recipients
                    .iter()
                    .filter(|r| matches!(r, Recipient::Chat { .. } | Recipient::GroupChat { .. }))
                    .map(|r| OutboxError::NotForTheBot { label: r.label() }),
            );
        }
        problems
    }

    /// The pre-send check: the exact card that will be sent, what had to be trimmed, and
    /// whether Microsoft Teams can reach each recipient. Nothing is sent.
    pub async fn preview(self, request: &SendRequest) -> Result<SendPreview> {
        let issue = self.core.issues().get(&request.issue_id)?;
        let addressed = self.addressed(request, &issue)?;
        let request = &SendRequest {
            recipients: addressed.recipients.clone(),
            ..request.as_sent()
        };
        let composition = composition(
            &issue,
            request,
            self.author()?.as_deref(),
            card_budget(request.identity),
        );
        let mut blocking: Vec<String> = Self::blocking(request)
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut recipients = Vec::new();
        let connected = match request.identity {
            Identity::User => {
                matches!(self.core.auth().state()?, ConnectionState::Connected { .. })
            }
            Identity::Bot => matches!(self.core.bot().state()?, BotState::Connected { .. }),
        };
        if !connected && !request.recipients.is_empty() {
            blocking.push(match request.identity {
                Identity::User => "Microsoft Teams is not connected (or needs reconnecting): open \
                                   Connectors and select CONNECT before sending."
                    .into(),
                Identity::Bot => "The bot is not connected (or needs reconnecting): open \
                                  Connectors › BOT IDENTITY PROVIDER and select CONNECT before \
                                  sending as the bot."
                    .into(),
            });
        }
        let cloud = self.core.settings()?.cloud;
        let mut seen = HashSet::new();
        for recipient in &request.recipients {
            let key = recipient.key();
            if !seen.insert(key.clone()) {
                continue;
            }
            let problem = if connected {
                let reachable = match request.identity {
                    Identity::User => self.reachable(recipient).await,
                    Identity::Bot => self.reachable_by_bot(recipient).await,
                };
                reachable.err().map(|e| explain(recipient, &e))
            } else {
                None
            };
            // A person's send follows the finding's message in a channel thread.
            let follows = self
                .core
                .store
                .anchor(&request.issue_id, &key, request.identity)?
                .filter(|anchor| anchor.gone_at.is_none())
                .and_then(|anchor| {
                    let action = super::action_for(
                        Follow::Thread,
                        request.identity,
                        recipient,
                        Some(&anchor),
                        cloud,
                    );
                    (action != super::DeliveryAction::Posted).then(|| {
                        format!(
                            "It follows the message of {} there ({}).",
                            anchor.created_at.format("%Y-%m-%d %H:%M UTC"),
                            action.label().to_lowercase()
                        )
                    })
                });
            let mentions =
                crate::mentions::placed(&addressed.mentions, recipient, request.identity);
            let mut mention_warnings: Vec<String> = addressed
                .mentions
                .iter()
                .filter_map(|m| crate::mentions::left_out(m, recipient, request.identity))
                .collect();
            if connected && problem.is_none() {
                mention_warnings.extend(
                    self.unnotified(&addressed.mentions, recipient, request.identity)
                        .await?,
                );
            }
            recipients.push(RecipientCheck {
                label: recipient.label(),
                note: addressed.notes.get(&key).cloned(),
                key,
                problem,
                follows,
                mentions: mentions.into_iter().map(|m| m.text).collect(),
                mention_warnings,
            });
        }
        Ok(SendPreview {
            composition,
            recipients,
            blocking,
            owners: addressed.owners,
        })
    }

    /// The request's recipients and mentions with the owners of the finding's file added (a
    /// person's send has no fallback: owners that cannot be reached are said in the preview).
    fn addressed(&self, request: &SendRequest, issue: &Issue) -> Result<Addressed> {
        let request = request.as_sent();
        let resolver = match request.owners.is_used() {
            true => Some(self.core.owners().resolver()?),
            false => None,
        };
        let routing = Routing {
            recipients: &request.recipients,
            fallback: &[],
            owners: request.owners,
            mentions: &request.mentions,
        };
        Ok(address(&routing, issue.path.as_deref(), resolver.as_ref()))
    }

    /// People mentioned in a channel post who are not in its team: Teams would not notify
    /// them. (A private or shared channel's own membership is not checked.)
    async fn unnotified(
        &self,
        mentions: &[Mention],
        recipient: &Recipient,
        identity: Identity,
    ) -> Result<Vec<String>> {
        let Recipient::Channel {
            team_id, team_name, ..
        } = recipient
        else {
            return Ok(Vec::new());
        };
        let mut warnings = Vec::new();
        for mention in mentions {
            let Mention::Person { user_id, name } = mention else {
                continue;
            };
            let lookup = |graph: crate::graph::Graph| async move { graph.teams_of(user_id).await };
            let teams = match identity {
                Identity::User => self.core.auth().as_user(lookup).await,
                Identity::Bot => self.core.bot().as_bot(lookup).await,
            };
            match teams {
                Ok(teams) if teams.iter().any(|t| &t.id == team_id) => {}
                Ok(_) => warnings.push(format!(
                    "{name} is not a member of {team_name}: the @mention will not notify them."
                )),
                Err(e) => warnings.push(format!(
                    "Could not check whether {name} is a member of {team_name}: {e}"
                )),
            }
        }
        Ok(warnings)
    }

    async fn reachable(&self, recipient: &Recipient) -> Result<()> {
        match recipient {
            Recipient::Channel {
                team_id,
                channel_id,
                ..
            } => {
                self.core
                    .auth()
                    .as_user(|graph| async move { graph.channel(team_id, channel_id).await })
                    .await?;
            }
            Recipient::Person { user_id, .. } => {
                self.core
                    .auth()
                    .as_user(|graph| async move { graph.user(user_id).await })
                    .await?;
            }
            Recipient::Chat { chat_id, .. } => {
                self.core
                    .auth()
                    .as_user(|graph| async move { graph.chat(chat_id).await })
                    .await?;
            }
            Recipient::GroupChat { people, .. } => {
                for person in people {
                    let id = &person.user_id;
                    self.core
                        .auth()
                        .as_user(|graph| async move { graph.user(id).await })
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Whether the bot can post there: the place exists and the app is installed for the
    /// person or in the channel's team.
    async fn reachable_by_bot(&self, recipient: &Recipient) -> Result<()> {
        match recipient {
            Recipient::Channel {
                team_id,
                channel_id,
                team_name,
                ..
            } => {
                self.core
                    .bot()
                    .as_bot(|graph| async move { graph.channel(team_id, channel_id).await })
                    .await?;
                if !self.core.bot().installed_in_team(team_id).await? {
                    return Err(BotError::NotInstalledInTeam {
                        team: team_name.clone(),
                    }
                    .into());
                }
            }
            Recipient::Person { user_id, .. } => {
                self.core
                    .bot()
                    .as_bot(|graph| async move { graph.user(user_id).await })
                    .await?;
                if !self.core.bot().installed_for_person(user_id).await? {
                    return Err(BotError::NotInstalledForPerson {
                        name: recipient.label(),
                    }
                    .into());
                }
            }
            Recipient::Chat { .. } | Recipient::GroupChat { .. } => {
                return Err(BotError::UnsupportedRecipient {
                    label: recipient.label(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// Queues a message about an issue for each recipient (once per place) and returns the
    /// deliveries; the dispatcher sends them. Manual sends go ahead of workflow traffic.
    pub fn send(&self, request: &SendRequest) -> Result<Queued> {
        let issue = self.core.issues().get(&request.issue_id)?;
        let addressed = self.addressed(request, &issue)?;
        let request = &SendRequest {
            recipients: addressed.recipients,
            ..request.as_sent()
        };
        if let Some(problem) = Self::blocking(request).into_iter().next() {
            return Err(problem.into());
        }
        let author = self.author()?;
        let enqueued = self.enqueue(NewMessage {
            issue_id: issue.id.clone(),
            issue_revision: issue.revision,
            title: issue.title.clone(),
            comment: request.comment.clone(),
            card: Card::Compose(Box::new(|budget| {
                composition(&issue, request, author.as_deref(), budget)
            })),
            // A person's send about a finding already in a channel replies in its thread.
            reply: None,
            follow: Follow::Thread,
            purpose: Purpose::Revision,
            sender: request.identity,
            origin: Origin::Manual,
            recipients: request.recipients.clone(),
            mentions: addressed.mentions,
            notes: addressed.notes,
        })?;
        Ok(Queued {
            deliveries: self.message_deliveries(&enqueued.message_id)?,
            message_id: enqueued.message_id,
        })
    }

    /// One message's deliveries, by recipient.
    pub fn message_deliveries(&self, message_id: &str) -> Result<Vec<Delivery>> {
        let mut deliveries: Vec<Delivery> = self
            .core
            .store
            .deliveries(Some(message_id), 1000)?
            .into_iter()
            .map(Delivery::from)
            .collect();
        deliveries.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(deliveries)
    }

    /// The newest deliveries first (the Activity page and `ox-teams-cli deliveries`).
    pub fn deliveries(&self, limit: u32) -> Result<Vec<Delivery>> {
        Ok(self
            .core
            .store
            .deliveries(None, i64::from(limit))?
            .into_iter()
            .map(Delivery::from)
            .collect())
    }

    /// Everything sent about one issue, newest first (the issue's detail pane).
    pub fn issue_deliveries(&self, issue_id: &str) -> Result<Vec<Delivery>> {
        Ok(self
            .core
            .store
            .issue_deliveries(issue_id, 200)?
            .into_iter()
            .map(Delivery::from)
            .collect())
    }

    /// The address of a delivery's message in Teams, for the browser: only https on Microsoft
    /// Teams' hosts (or on the custom cloud's own Graph host, as the sandbox is), so a stored
    /// address cannot send the browser anywhere else.
    pub fn message_address(&self, id: &str) -> Result<String> {
        let address = self
            .delivery(id)?
            .web_url
            .ok_or(OutboxError::NoAddressYet)?;
        let graph = self.core.settings()?.endpoints().graph_url();
        crate::links::teams_address(&address, &graph)
            .map_err(|host| OutboxError::NotATeamsAddress { host })?;
        Ok(address)
    }

    pub fn delivery(&self, id: &str) -> Result<Delivery> {
        self.core
            .store
            .delivery(id)?
            .map(Delivery::from)
            .ok_or_else(|| OutboxError::UnknownDelivery { id: id.into() }.into())
    }

    /// Sends a failed or unconfirmed delivery again (the dispatcher picks it up at once).
    pub fn resend(&self, id: &str) -> Result<Delivery> {
        let delivery = self.delivery(id)?;
        if !matches!(
            delivery.status,
            super::DeliveryStatus::Failed | super::DeliveryStatus::Unconfirmed
        ) {
            return Err(OutboxError::NotResendable {
                status: delivery.status.as_str().into(),
            }
            .into());
        }
        self.core
            .store
            .requeue_delivery(id, self.core.clock.now())?;
        self.wake();
        log::info!("delivery {id} queued again by hand");
        self.delivery(id)
    }
}

/// The card a person's send carries (their name beside the comment): the preview shows
/// exactly what [`Outbox::send`] queues.
fn composition(
    issue: &Issue,
    request: &SendRequest,
    author: Option<&str>,
    budget: usize,
) -> Composition {
    compose(
        issue,
        &Context {
            comment: &request.comment,
            author,
            ..Context::default()
        },
        budget,
    )
}

/// What a failure means for this recipient, in a sentence a person can act on.
pub(crate) fn explain(recipient: &Recipient, error: &Error) -> AppError {
    let label = recipient.label();
    let (code, message) = match (recipient, error) {
        (
            Recipient::Channel {
                channel_name,
                team_name,
                ..
            },
            Error::Graph(GraphError::NotFound { .. }),
        ) => (
            ErrorCode::NotFound,
            format!(
                "The channel “{channel_name}” in {team_name} no longer exists, or you are no longer a member of it."
            ),
        ),
        (Recipient::Person { .. }, Error::Graph(GraphError::NotFound { .. })) => (
            ErrorCode::NotFound,
            format!("{label} is no longer in your organisation's directory."),
        ),
        (Recipient::GroupChat { .. }, Error::Graph(GraphError::NotFound { .. })) => (
            ErrorCode::NotFound,
            "One of the people in the group chat is no longer in your organisation's directory."
                .to_string(),
        ),
        (Recipient::Chat { title, .. }, Error::Graph(GraphError::NotFound { .. })) => (
            ErrorCode::NotFound,
            format!("The chat “{title}” no longer exists, or you are no longer in it."),
        ),
        (_, Error::Graph(GraphError::Forbidden { message, .. })) => (
            ErrorCode::Forbidden,
            format!("Microsoft Teams does not let you post to {label}: {message}"),
        ),
        (_, Error::Graph(GraphError::Failed { status: 413, .. })) => (
            ErrorCode::ServiceError,
            format!(
                "Microsoft Teams refused the message to {label} as too large. Shorten the comment and send it again."
            ),
        ),
        (
            _,
            Error::Graph(GraphError::Failed {
                status, message, ..
            }),
        ) if *status < 500 => (
            ErrorCode::ServiceError,
            format!("Microsoft Teams refused the message to {label} ({status}): {message}"),
        ),
        (_, other) => (other.code(), other.to_string()),
    };
    AppError { code, message }
}
