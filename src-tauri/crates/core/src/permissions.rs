//! The nine permissions the Identity provider connection asks Microsoft for, with the reason
//! for each in plain words and what stops working without it.

use serde::Serialize;
use ts_rs::TS;

/// One delegated permission (scope) as people review it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PermissionScope {
    /// The scope as Microsoft names it, e.g. `ChannelMessage.Send`.
    pub name: String,
    /// What Microsoft lets the app do with it.
    pub grants: String,
    /// Why this app needs it.
    pub reason: String,
    /// Whether a tenant administrator must consent before anyone can grant it.
    pub admin_consent: bool,
    /// What a person notices when it is missing.
    pub without_it: String,
    /// OpenID Connect scopes are not Graph permissions and never appear in a token's `scope`.
    pub openid: bool,
}

struct Scope {
    name: &'static str,
    grants: &'static str,
    reason: &'static str,
    admin_consent: bool,
    without_it: &'static str,
    openid: bool,
}

/// In the order people read them: what is sent, to whom, then how sign-in works.
const SCOPES: &[Scope] = &[
    Scope {
        name: "ChannelMessage.Send",
        grants: "Send messages to team channels, standard and private.",
        reason: "Posts security alerts and notifications to the channels you pick.",
        admin_consent: false,
        without_it: "Nothing can be posted to a channel.",
        openid: false,
    },
    Scope {
        name: "Chat.Create",
        grants: "Create one-on-one and group chats.",
        reason: "Starts a private conversation when there is none yet with a recipient.",
        admin_consent: false,
        without_it: "You cannot message someone you have never chatted with.",
        openid: false,
    },
    Scope {
        name: "Chat.ReadWrite",
        grants: "Read and send messages in your chats.",
        reason: "Sends one-on-one and group notifications, finds existing chats, keeps a \
                 finding's card current, and reads reactions and replies to it.",
        admin_consent: false,
        without_it: "No message can be sent to a person or a group chat.",
        openid: false,
    },
    Scope {
        name: "Team.ReadBasic.All",
        grants: "Read the names and IDs of the teams you belong to.",
        reason: "Lists your teams so you can choose where channel notifications go.",
        admin_consent: true,
        without_it: "The team list stays empty, so no channel can be chosen.",
        openid: false,
    },
    Scope {
        name: "Channel.ReadBasic.All",
        grants: "Read channel names, descriptions and types.",
        reason: "Lists the channels of the team you select, so messages go to the right one.",
        admin_consent: false,
        without_it: "The channel list of a team stays empty.",
        openid: false,
    },
    Scope {
        name: "User.Read",
        grants: "Read your own profile: name, email and ID.",
        reason: "Shows who is connected and finds your teams.",
        admin_consent: false,
        without_it: "Sign-in cannot complete.",
        openid: false,
    },
    Scope {
        name: "User.Read.All",
        grants: "Read the basic profile of everyone in your organisation.",
        reason: "Lets you search for recipients and resolve one-on-one chats.",
        admin_consent: true,
        without_it: "People search finds no one, so only channels and existing chats can be used.",
        openid: false,
    },
    Scope {
        name: "offline_access",
        grants: "Keep access without asking you to sign in again.",
        reason: "Renews access automatically so notifications and workflows keep running.",
        admin_consent: false,
        without_it: "You must sign in again about every hour, and workflows stop while you are away.",
        openid: true,
    },
    Scope {
        name: "openid",
        grants: "Sign you in with your work account (single sign-on).",
        reason: "Identifies you to Microsoft when you connect.",
        admin_consent: false,
        without_it: "Sign-in cannot complete.",
        openid: true,
    },
];

/// Permissions asked for only when a person chooses to (incremental consent from the
/// Permissions view): nothing stops working without them.
const OPTIONAL: &[Scope] = &[Scope {
    name: crate::outbox::CHANNEL_READ_SCOPE,
    grants: "Read the messages of the channels you can see.",
    reason: "Reads the replies and reactions in the threads of findings the app posted, so \
             answers from Teams show beside each finding and acknowledge it.",
    admin_consent: true,
    without_it: "Answers in channel threads are not read back; chats still are.",
    openid: false,
}];

fn as_permission(scope: &Scope) -> PermissionScope {
    PermissionScope {
        name: scope.name.to_string(),
        grants: scope.grants.to_string(),
        reason: scope.reason.to_string(),
        admin_consent: scope.admin_consent,
        without_it: scope.without_it.to_string(),
        openid: scope.openid,
    }
}

/// The optional permissions, offered in the Permissions view.
pub fn optional_scopes() -> Vec<PermissionScope> {
    OPTIONAL.iter().map(as_permission).collect()
}

/// The permissions the Identity provider connection requests.
pub fn requested_scopes() -> Vec<PermissionScope> {
    SCOPES.iter().map(as_permission).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nine_permissions_of_the_seed_two_needing_an_admin() {
        let scopes = requested_scopes();
        let mut names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "Channel.ReadBasic.All",
                "ChannelMessage.Send",
                "Chat.Create",
                "Chat.ReadWrite",
                "Team.ReadBasic.All",
                "User.Read",
                "User.Read.All",
                "offline_access",
                "openid"
            ]
        );
        let admin: Vec<&str> = scopes
            .iter()
            .filter(|s| s.admin_consent)
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(admin, ["Team.ReadBasic.All", "User.Read.All"]);
        assert!(
            scopes
                .iter()
                .all(|s| !s.reason.is_empty() && !s.without_it.is_empty())
        );
    }
}
