//! @mentions: the people (or the whole channel or team) a message names, so that Teams notifies
//! them in a busy channel. Graph posts carry `<at id="N">` in the HTML body beside the card and
//! a `mentions` entry per id
//! (<https://learn.microsoft.com/graph/api/resources/chatmessagemention>); the bot carries them
//! inside the card as `msteams.entities`, and cannot mention a team or channel
//! (<https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format>).
//! This module decides which mentions apply where, and writes both forms.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;

use crate::bot::Identity;
use crate::outbox::Recipient;

/// Someone a message @mentions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Mention {
    Person {
        user_id: String,
        name: String,
    },
    /// Everyone who follows the channel the message is posted in (`@channel`).
    Channel,
    /// Everyone in the team of the channel the message is posted in (`@team`).
    Team,
}

impl Mention {
    /// How the Send dialog and the workflow editor name it.
    pub fn label(&self) -> String {
        match self {
            Mention::Person { name, .. } => name.clone(),
            Mention::Channel => "the channel".into(),
            Mention::Team => "the team".into(),
        }
    }
}

/// What a mention points at in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    User(String),
    Channel(String),
    Team(String),
}

/// A mention as one place shows it: the text Teams highlights, and whom it notifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub text: String,
    target: Target,
}

/// Why a mention does not apply where the message goes, in a sentence for the pre-send check.
pub fn left_out(mention: &Mention, recipient: &Recipient, identity: Identity) -> Option<String> {
    let place = recipient.label();
    match (mention, recipient, identity) {
        (_, Recipient::Person { .. }, _) => None,
        (_, Recipient::Chat { .. }, _) => Some(format!(
            "{place} is an existing chat: mentions go only to channels and new group chats."
        )),
        (Mention::Channel | Mention::Team, Recipient::Channel { .. }, Identity::Bot) => {
            Some(format!(
                "The bot cannot @mention {} in {place}; Teams lets only people do that. The message goes without it.",
                mention.label()
            ))
        }
        (Mention::Channel, Recipient::GroupChat { .. }, _) => Some(format!(
            "{place} is a chat: @channel applies only to channel posts."
        )),
        (Mention::Team, Recipient::GroupChat { .. }, _) => Some(format!(
            "{place} is a chat: @team applies only to channel posts."
        )),
        _ => None,
    }
}

/// The mentions that apply to one place: people in channels and in group chats the app
/// starts, the channel and team only in a channel post by a person. A one-on-one chat notifies
/// its person anyway, so nobody is mentioned there; nor in an existing chat, which may be one.
/// Each target once, in the order given.
pub fn placed(mentions: &[Mention], recipient: &Recipient, identity: Identity) -> Vec<Placed> {
    let mut out: Vec<Placed> = Vec::new();
    for mention in mentions {
        let placed = match (mention, recipient) {
            (_, Recipient::Person { .. } | Recipient::Chat { .. }) => None,
            (Mention::Person { user_id, name }, _) => Some(Placed {
                text: if name.trim().is_empty() {
                    user_id.clone()
                } else {
                    name.trim().to_string()
                },
                target: Target::User(user_id.clone()),
            }),
            _ if left_out(mention, recipient, identity).is_some() => None,
            (
                Mention::Channel,
                Recipient::Channel {
                    channel_id,
                    channel_name,
                    ..
                },
            ) => Some(Placed {
                text: channel_name.clone(),
                target: Target::Channel(channel_id.clone()),
            }),
            (
                Mention::Team,
                Recipient::Channel {
                    team_id, team_name, ..
                },
            ) => Some(Placed {
                text: team_name.clone(),
                target: Target::Team(team_id.clone()),
            }),
            _ => None,
        };
        if let Some(placed) = placed
            && !out.iter().any(|p| p.target == placed.target)
        {
            out.push(placed);
        }
    }
    out
}

/// Graph: the HTML line above the card and the `mentions` array whose ids it references.
pub fn graph_mentions(placed: &[Placed]) -> Option<(String, Vec<Value>)> {
    if placed.is_empty() {
        return None;
    }
    let mut line = String::from("<p>");
    let mut entries = Vec::with_capacity(placed.len());
    for (id, mention) in placed.iter().enumerate() {
        if id > 0 {
            line.push(' ');
        }
        line.push_str(&format!("<at id=\"{id}\">{}</at>", escape(&mention.text)));
        let mentioned = match &mention.target {
            Target::User(user_id) => json!({ "user": {
                "id": user_id, "displayName": mention.text, "userIdentityType": "aadUser" } }),
            Target::Channel(id) => json!({ "conversation": {
                "id": id, "displayName": mention.text, "conversationIdentityType": "channel" } }),
            Target::Team(id) => json!({ "conversation": {
                "id": id, "displayName": mention.text, "conversationIdentityType": "team" } }),
        };
        entries.push(json!({ "id": id, "mentionText": mention.text, "mentioned": mentioned }));
    }
    line.push_str("</p>");
    Some((line, entries))
}

/// The bot: a first line in the card naming the people, and `msteams.entities` whose `text`
/// equals each `<at>…</at>` in it. Only people (the bot cannot mention a team or channel).
pub fn with_bot_mentions(card: &Value, placed: &[Placed]) -> Value {
    let people: Vec<(&str, &str)> = placed
        .iter()
        .filter_map(|p| match &p.target {
            Target::User(id) => Some((p.text.as_str(), id.as_str())),
            _ => None,
        })
        .collect();
    if people.is_empty() {
        return card.clone();
    }
    let mut card = card.clone();
    let line = people
        .iter()
        .map(|(name, _)| format!("<at>{name}</at>"))
        .collect::<Vec<_>>()
        .join(" ");
    let entities: Vec<Value> = people
        .iter()
        .map(|(name, id)| {
            json!({ "type": "mention", "text": format!("<at>{name}</at>"),
                    "mentioned": { "id": id, "name": name } })
        })
        .collect();
    if let Some(body) = card.get_mut("body").and_then(Value::as_array_mut) {
        body.insert(
            0,
            json!({ "type": "TextBlock", "text": line, "wrap": true, "id": "mentions" }),
        );
    }
    if !card["msteams"].is_object() {
        card["msteams"] = json!({});
    }
    card["msteams"]["entities"] = Value::Array(entities);
    card
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel() -> Recipient {
        Recipient::Channel {
            team_id: "t1".into(),
            channel_id: "19:c1".into(),
            team_name: "Security".into(),
            channel_name: "Alerts".into(),
        }
    }

    fn megan() -> Mention {
        Mention::Person {
            user_id: "u-megan".into(),
            name: "Megan <Bowen>".into(),
        }
    }

    #[test]
    fn graph_ids_in_the_body_match_the_mentions_array() {
        let placed = placed(
            &[megan(), Mention::Channel, Mention::Team, megan()],
            &channel(),
            Identity::User,
        );
        assert_eq!(placed.len(), 3, "Megan once, the channel, the team");
        let (line, entries) = graph_mentions(&placed).unwrap();
        assert_eq!(
            line,
            "<p><at id=\"0\">Megan &lt;Bowen&gt;</at> <at id=\"1\">Alerts</at> <at id=\"2\">Security</at></p>"
        );
        assert_eq!(entries[0]["mentioned"]["user"]["id"], "u-megan");
        assert_eq!(entries[0]["mentionText"], "Megan <Bowen>");
        assert_eq!(
            entries[1]["mentioned"]["conversation"]["conversationIdentityType"],
            "channel"
        );
        assert_eq!(entries[2]["mentioned"]["conversation"]["id"], "t1");
        for (i, entry) in entries.iter().enumerate() {
            assert_eq!(entry["id"], i);
        }
    }

    #[test]
    fn nobody_is_mentioned_in_a_one_on_one_chat_and_the_bot_mentions_only_people() {
        let person = Recipient::Person {
            user_id: "u-alex".into(),
            name: "Alex".into(),
            mail: "alex@contoso.com".into(),
        };
        assert!(placed(&[megan(), Mention::Channel], &person, Identity::User).is_empty());
        let by_bot = placed(&[megan(), Mention::Team], &channel(), Identity::Bot);
        assert_eq!(by_bot.len(), 1);
        assert!(
            left_out(&Mention::Team, &channel(), Identity::Bot)
                .unwrap()
                .contains("The bot cannot @mention the team in Security › Alerts")
        );
        let group = Recipient::GroupChat {
            people: Vec::new(),
            topic: Some("Ops".into()),
        };
        assert!(
            left_out(&Mention::Channel, &group, Identity::User)
                .unwrap()
                .contains("applies only to channel posts")
        );
        assert_eq!(
            placed(&[megan(), Mention::Channel], &group, Identity::User).len(),
            1
        );
        let chat = Recipient::Chat {
            chat_id: "19:x".into(),
            title: "Ops".into(),
        };
        assert!(placed(&[megan()], &chat, Identity::User).is_empty());
        assert!(left_out(&megan(), &chat, Identity::User).is_some());
    }

    #[test]
    fn the_bot_card_names_each_person_as_its_entity_says() {
        let card = json!({ "type": "AdaptiveCard", "version": "1.5",
            "body": [ { "type": "TextBlock", "text": "Finding" } ], "msteams": { "width": "Full" } });
        let placed = placed(&[megan()], &channel(), Identity::Bot);
        let card = with_bot_mentions(&card, &placed);
        assert_eq!(card["body"][0]["text"], "<at>Megan <Bowen></at>");
        assert_eq!(card["body"][1]["text"], "Finding");
        assert_eq!(card["msteams"]["width"], "Full");
        let entity = &card["msteams"]["entities"][0];
        assert_eq!(entity["text"], "<at>Megan <Bowen></at>");
        assert_eq!(entity["mentioned"]["id"], "u-megan");
    }
}
