//! Sending messages about issues and following their deliveries.

use clap::Subcommand;

use crate::show;

use ox_teams_core::bot::Identity;
use ox_teams_core::mentions::Mention;
use ox_teams_core::outbox::{Delivery, DeliveryStatus, Recipient, SendRequest};
use ox_teams_core::owners::OwnerRouting;
use ox_teams_core::{AppError, Core, ErrorCode};

#[derive(Subcommand)]
pub(crate) enum SendCommand {
    /// Send a message about an issue to Teams and wait for each recipient's result.
    Send {
        /// The issue's id (as `ox-teams-cli issues` shows it).
        issue: String,
        /// channel:TEAM/CHANNEL, user:NAME@DOMAIN or chat:ID; repeatable.
        #[arg(
            long = "to",
            required_unless_present = "owners",
            value_name = "RECIPIENT"
        )]
        to: Vec<String>,
        /// Also send it to the owners of the issue's file (by the CODEOWNERS file set up in
        /// the app's Owners page).
        #[arg(long)]
        owners: bool,
        /// @mention the owners who are people in channel posts.
        #[arg(long)]
        mention_owners: bool,
        /// @mention this person (user:NAME@DOMAIN), `channel` or `team` in channel posts;
        /// repeatable.
        #[arg(long = "mention", value_name = "WHO")]
        mention: Vec<String>,
        /// A comment shown on the card above the issue's details.
        #[arg(long, default_value = "")]
        comment: String,
        /// Send to the people given (two or more) as one new group chat instead of one chat each.
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
    /// Read the reactions and replies to findings' messages in Teams now (the app does it every
    /// two minutes while it runs); the first answer acknowledges a finding.
    Answers,
    /// Messages held because another person connected: how many and why; `--send` sends them
    /// as the account now connected, `--discard` drops them.
    Held {
        #[arg(long, conflicts_with = "discard")]
        send: bool,
        #[arg(long)]
        discard: bool,
    },
}

pub(crate) async fn run(core: &Core, json: bool, command: SendCommand) -> Result<(), AppError> {
    match command {
        SendCommand::Send {
            issue,
            to,
            comment,
            group,
            sender,
            no_wait,
            owners,
            mention_owners,
            mention,
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
                recipients.push(core.directory().resolve_recipient(spec).await?);
            }
            let mut mentions = Vec::new();
            for who in &mention {
                mentions.push(match who.as_str() {
                    "channel" => Mention::Channel,
                    "team" => Mention::Team,
                    spec => match core.directory().resolve_recipient(spec).await? {
                        Recipient::Person { user_id, name, .. } => {
                            Mention::Person { user_id, name }
                        }
                        other => {
                            return Err(AppError {
                                code: ErrorCode::InvalidRequest,
                                message: format!(
                                    "Only a person, channel or team can be @mentioned, not {}.",
                                    other.label()
                                ),
                            });
                        }
                    },
                });
            }
            let request = SendRequest {
                issue_id: issue,
                recipients,
                comment,
                identity,
                as_group: group,
                owners: OwnerRouting {
                    message: owners,
                    mention: mention_owners,
                },
                mentions,
            };
            let preview = core.outbox().preview(&request).await?;
            if !json {
                for trimmed in &preview.composition.trimmed {
                    eprintln!("note: {trimmed}");
                }
                for unresolved in preview.owners.iter().flat_map(|o| &o.unresolved) {
                    eprintln!("note: {}", unresolved.reason);
                }
                for warning in preview.recipients.iter().flat_map(|r| &r.mention_warnings) {
                    eprintln!("note: {warning}");
                }
            }
            let queued = core.outbox().send(&request)?;
            let deliveries = if no_wait {
                queued.deliveries
            } else {
                wait_for(core, &queued.message_id, json).await?
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
        SendCommand::Deliveries { limit } => {
            let deliveries = core.outbox().deliveries(limit)?;
            if json {
                show::json(&deliveries)
            } else {
                show::deliveries(&deliveries)
            }
        }
        SendCommand::Held { send, discard } => {
            let held = core.outbox().held()?;
            let released = match (send || discard, &held) {
                (true, Some(_)) => Some(core.outbox().release_held(send)?),
                _ => None,
            };
            if json {
                show::json(&serde_json::json!({ "held": held, "released": released }));
            } else {
                match (held, released) {
                    (None, _) => println!("No messages are held."),
                    (Some(held), None) => println!(
                        "{} message(s) held. {}\nRun with --send to send them as the account \
                         now connected, or --discard to drop them.",
                        held.count, held.reason
                    ),
                    (Some(_), Some(n)) if send => println!("{n} held message(s) queued to send."),
                    (Some(_), Some(n)) => println!("{n} held message(s) discarded."),
                }
            }
        }
        SendCommand::Answers => {
            let report = core.outbox().read_answers().await?;
            if json {
                show::json(&report)
            } else {
                println!(
                    "Read {} chat(s) and thread(s): {} new answer(s).",
                    report.read, report.new
                );
                if report.unreadable_threads > 0 {
                    println!(
                        "{} channel thread(s) were not read: that needs the optional \
                         ChannelMessage.Read.All permission (ox-teams-cli connect --add \
                         ChannelMessage.Read.All).",
                        report.unreadable_threads
                    );
                }
            }
        }
        SendCommand::Resend { delivery } => {
            let queued = core.outbox().resend(&delivery)?;
            let deliveries = wait_for(core, &queued.message_id, json).await?;
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
