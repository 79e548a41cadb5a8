//! How a [`Recipient`] is written out: its fields plus the key and label the core derives.
//! The enum below mirrors [`Recipient`] field for field (the `From` impl destructures every
//! field, so the two cannot drift apart without a compile error).

use serde::Serialize;
use ts_rs::TS;

use super::{GroupMember, Recipient};

#[derive(Serialize, TS)]
#[ts(export, rename = "Recipient", export_to = "Recipient.ts")]
pub struct Shown {
    /// Two recipients with the same key are the same place.
    key: String,
    /// How people read it: "Security › Alerts", "Megan Bowen".
    label: String,
    #[serde(flatten)]
    #[ts(flatten)]
    place: Place,
}

#[derive(Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Place {
    Channel {
        team_id: String,
        channel_id: String,
        team_name: String,
        channel_name: String,
    },
    Person {
        user_id: String,
        name: String,
        mail: String,
    },
    Chat {
        chat_id: String,
        title: String,
    },
    GroupChat {
        people: Vec<GroupMember>,
        topic: Option<String>,
    },
}

impl From<Recipient> for Shown {
    fn from(recipient: Recipient) -> Shown {
        let (key, label) = (recipient.key(), recipient.label());
        let place = match recipient {
            Recipient::Channel {
                team_id,
                channel_id,
                team_name,
                channel_name,
            } => Place::Channel {
                team_id,
                channel_id,
                team_name,
                channel_name,
            },
            Recipient::Person {
                user_id,
                name,
                mail,
            } => Place::Person {
                user_id,
                name,
                mail,
            },
            Recipient::Chat { chat_id, title } => Place::Chat { chat_id, title },
            Recipient::GroupChat { people, topic } => Place::GroupChat { people, topic },
        };
        Shown { key, label, place }
    }
}

/// In TypeScript a recipient is what it serialises to: [`Shown`]. (`#[ts(as = …)]` cannot
/// be used on an internally tagged enum.)
impl TS for Recipient {
    type WithoutGenerics = Recipient;
    type OptionInnerType = Recipient;
    fn ident(cfg: &ts_rs::Config) -> String {
        Shown::ident(cfg)
    }
    fn name(cfg: &ts_rs::Config) -> String {
        Shown::name(cfg)
    }
    fn inline(cfg: &ts_rs::Config) -> String {
        Shown::inline(cfg)
    }
    fn inline_flattened(cfg: &ts_rs::Config) -> String {
        Shown::inline_flattened(cfg)
    }
    fn visit_dependencies(visitor: &mut impl ts_rs::TypeVisitor) {
        Shown::visit_dependencies(visitor);
    }
    fn visit_generics(visitor: &mut impl ts_rs::TypeVisitor) {
        Shown::visit_generics(visitor);
    }
    fn decl(cfg: &ts_rs::Config) -> String {
        Shown::decl(cfg)
    }
    fn decl_concrete(cfg: &ts_rs::Config) -> String {
        Shown::decl_concrete(cfg)
    }
    fn output_path() -> Option<std::path::PathBuf> {
        Shown::output_path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipient_is_written_with_its_key_and_label_and_read_back_without_them() {
        let channel = Recipient::Channel {
            team_id: "t1".into(),
            channel_id: "c1".into(),
            team_name: "Security".into(),
            channel_name: "Alerts".into(),
        };
        let json = serde_json::to_value(&channel).unwrap();
        assert_eq!(json["kind"], "channel");
        assert_eq!(json["key"], "channel:t1/c1");
        assert_eq!(json["label"], "Security › Alerts");
        assert_eq!(json["team_name"], "Security");
        // A stale label in a file is ignored: the core derives it again.
        let mut edited = json.clone();
        edited["label"] = "Something else".into();
        let back: Recipient = serde_json::from_value(edited).unwrap();
        assert_eq!(back, channel);
        assert_eq!(back.label(), "Security › Alerts");
    }
}
