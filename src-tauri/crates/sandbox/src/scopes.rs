//! The Microsoft Graph delegated permissions the sandbox knows, with the one-line reason its
//! consent page shows and whether an administrator must consent.

use std::collections::HashSet;

pub struct Permission {
    pub name: &'static str,
    pub reason: &'static str,
    pub admin_only: bool,
}

pub const OPENID: &[&str] = &["openid", "profile", "email", "offline_access"];

/// How the consent page words the OpenID Connect scopes, as Entra does.
pub fn openid_reason(scope: &str) -> Option<&'static str> {
    match scope.to_ascii_lowercase().as_str() {
        "openid" => Some("Sign you in."),
        "profile" => Some("View your basic profile."),
        "email" => Some("View your email address."),
        "offline_access" => Some("Maintain access to data you have given it access to."),
        _ => None,
    }
}

pub const DELEGATED: &[Permission] = &[
    Permission {
        name: "User.Read",
        reason: "Sign you in and read your profile.",
        admin_only: false,
    },
    Permission {
        name: "User.ReadBasic.All",
        reason: "Read the basic profiles of everyone in your organisation.",
        admin_only: false,
    },
    Permission {
        name: "User.Read.All",
        reason: "Read the full profiles of everyone in your organisation.",
        admin_only: true,
    },
    Permission {
        name: "Team.ReadBasic.All",
        reason: "Read the names and descriptions of your teams.",
        admin_only: true,
    },
    Permission {
        name: "Channel.ReadBasic.All",
        reason: "Read the names and descriptions of channels.",
        admin_only: false,
    },
    Permission {
        name: "ChannelMessage.Send",
        reason: "Send messages to channels as you.",
        admin_only: false,
    },
    Permission {
        name: "ChannelMessage.Read.All",
        reason: "Read messages in channels.",
        admin_only: true,
    },
    Permission {
        name: "Chat.Create",
        reason: "Create chats as you.",
        admin_only: false,
    },
    Permission {
        name: "Chat.ReadBasic",
        reason: "Read the names and members of your chats.",
        admin_only: false,
    },
    Permission {
        name: "Chat.Read",
        reason: "Read your chat messages.",
        admin_only: false,
    },
    Permission {
        name: "Chat.ReadWrite",
        reason: "Read your chat messages and send messages as you.",
        admin_only: false,
    },
    Permission {
        name: "ChatMessage.Send",
        reason: "Send chat messages as you.",
        admin_only: false,
    },
    Permission {
        name: "TeamsAppInstallation.ReadForUser",
        reason: "See which Teams apps you have installed.",
        admin_only: false,
    },
    Permission {
        name: "AppCatalog.Read.All",
        reason: "Read the apps in your organisation's Teams app catalog.",
        admin_only: false,
    },
    Permission {
        name: "Application.Read.All",
        reason: "Read all applications and service principals.",
        admin_only: true,
    },
    Permission {
        name: "Directory.Read.All",
        reason: "Read everything in your organisation's directory.",
        admin_only: true,
    },
];

/// Application permissions an admin grants the bot with tenant-wide consent.
pub const BOT_APP_ROLES: &[&str] = &[
    "User.Read.All",
    "Team.ReadBasic.All",
    "Channel.ReadBasic.All",
    "TeamsAppInstallation.ReadForUser.All",
    "TeamsAppInstallation.ReadForTeam.All",
    "AppCatalog.Read.All",
];

pub fn find(name: &str) -> Option<&'static Permission> {
    DELEGATED.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The short name of a requested scope: `https://graph.microsoft.com/User.Read` and the same
/// under the sandbox's own address both mean `User.Read`; `.default` stays `.default`.
pub fn short_name(scope: &str, own_base: &str) -> String {
    for prefix in [
        "https://graph.microsoft.com/",
        "https://graph.microsoft.us/",
        own_base,
    ] {
        if !prefix.is_empty()
            && let Some(rest) = scope.strip_prefix(prefix)
        {
            return rest.trim_start_matches('/').to_string();
        }
    }
    // Any loopback address stands for this Graph too: a proxy in front of the sandbox (Prism
    // in the tests) gives the app another address for the same resource.
    for local in ["http://127.0.0.1:", "http://localhost:"] {
        if let Some(rest) = scope.strip_prefix(local)
            && let Some((_port, name)) = rest.split_once('/')
        {
            return name.to_string();
        }
    }
    scope.to_string()
}

pub fn is_openid(scope: &str) -> bool {
    OPENID.iter().any(|o| o.eq_ignore_ascii_case(scope))
}

/// The canonical spelling of a delegated permission, if the sandbox knows it.
pub fn canonical(short: &str) -> Option<&'static str> {
    find(short).map(|p| p.name)
}

pub fn set(names: &[&str]) -> HashSet<String> {
    names.iter().map(|n| (*n).to_string()).collect()
}
