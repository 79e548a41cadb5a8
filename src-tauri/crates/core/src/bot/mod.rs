//! The Bot identity provider: the organisation's own Teams app ("OX Security Alerts") sends
//! messages as itself. An administrator consents once in the browser; the app then proves the
//! setup with client-credentials tokens for Microsoft Graph (directory and team reads) and for
//! the Bot Connector. The client secret lives in the OS keychain only; tokens stay in memory.
//! Sources: <https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication>,
//! <https://learn.microsoft.com/entra/identity-platform/v2-admin-consent>,
//! <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow> and
//! <https://learn.microsoft.com/microsoft-365/extensibility/schema/root-bots>.

mod connect;
pub mod connector;
mod coverage;
pub mod package;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use connect::ConsentRequest;
pub use coverage::{Coverage, CoverageItem};

use crate::auth::Session;
use crate::error::ErrorCode;
use crate::http::HttpError;
use crate::secrets::Secret;

/// The organisation's bot: its setup, consent and verification, its token, the Bot Connector, and
/// where its app is installed. A view of the core ([`crate::Core::bot`]).
#[derive(Clone, Copy)]
pub struct Bot<'a> {
    pub(crate) core: &'a crate::Core,
}

/// The keychain entry holding the bot's client secret.
pub const CLIENT_SECRET: &str = "bot.client-secret";

/// The keychain entry naming the sign-in origin the client secret was entered for: the secret
/// is sent there and nowhere else (kept in the keychain so that editing the database cannot
/// move it).
pub const CLIENT_SECRET_ORIGIN: &str = "bot.client-secret.origin";

/// The bot's name in Teams, in its app package and on every message it sends.
pub const APP_NAME: &str = "OX Security Alerts";

/// Which identity sends a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Identity {
    /// The signed-in person (Identity provider).
    #[default]
    User,
    /// The organisation's bot (Bot identity provider).
    Bot,
}

impl Identity {
    pub fn as_str(self) -> &'static str {
        match self {
            Identity::User => "user",
            Identity::Bot => "bot",
        }
    }

    pub fn parse(text: &str) -> Identity {
        if text == "bot" {
            Identity::Bot
        } else {
            Identity::User
        }
    }
}

/// The bot card's fields as stored. The secret is only ever "set" or "not set" here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BotSetup {
    /// The bot's Entra application (client) ID, also its Teams bot id.
    pub app_id: String,
    /// The tenant the bot belongs to: its ID or a verified domain.
    pub tenant: String,
    /// Whether the keychain holds a client secret for the sign-in host in force.
    pub secret_set: bool,
    /// Why a saved secret is not used (it was entered for another sign-in host).
    pub secret_problem: Option<String>,
    /// The cloud (shared with the Identity provider; changed in Settings).
    pub cloud_label: String,
    /// The Bot Connector service URL of that cloud, when it has one.
    pub connector_url: Option<String>,
    /// Teams admin center's app setup policies in that cloud, when the app knows the address.
    pub teams_admin_center: Option<String>,
}

/// What the bot card saves. `secret` is present only when someone typed a new one.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct BotSetupDraft {
    pub app_id: String,
    pub tenant: String,
    #[serde(default)]
    #[ts(type = "string | null", optional)]
    pub secret: Option<Secret>,
}

/// One thing the app verified while connecting the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BotCheck {
    pub label: String,
    pub detail: String,
    pub ok: bool,
}

/// What the app keeps of the bot's connection (as JSON in SQLite; no token, no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BotRecord {
    pub app_id: String,
    pub app_name: String,
    /// The app's id in the tenant's Teams app catalog, once published.
    pub catalog_id: Option<String>,
    pub tenant: String,
    pub tenant_id: String,
    pub cloud: String,
    pub authority: String,
    pub graph: String,
    pub connector: String,
    pub checks: Vec<BotCheck>,
    pub connected_at: DateTime<Utc>,
    /// Why the bot stopped working: (error code, sentence, when).
    pub problem: Option<(ErrorCode, String, DateTime<Utc>)>,
}

/// The bot as the Connectors page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BotAccount {
    pub app_id: String,
    pub app_name: String,
    pub catalog_id: Option<String>,
    pub tenant: String,
    pub tenant_id: String,
    pub cloud_label: String,
    pub connector_url: String,
    pub checks: Vec<BotCheck>,
    #[ts(type = "string")]
    pub connected_at: DateTime<Utc>,
    /// The application ID, tenant or cloud now configured differ from the connected ones.
    pub settings_changed: bool,
}

/// Whether the bot is connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum BotState {
    NotConnected,
    Connected {
        bot: BotAccount,
    },
    /// Microsoft stopped accepting the bot's credentials; nothing waiting is dropped.
    ReconnectNeeded {
        bot: BotAccount,
        code: ErrorCode,
        reason: String,
        #[ts(type = "string")]
        since: DateTime<Utc>,
    },
}

/// The bot's two access tokens in memory: one for Graph, one for the Bot Connector.
#[derive(Default)]
pub struct BotSessions {
    pub(crate) graph: Session,
    pub(crate) connector: Session,
}

/// What can go wrong with the bot, each with a sentence saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BotError {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "Enter the bot's {missing} on the Bot identity provider card (Connectors › Microsoft \
         Teams) first."
    )]
    NotConfigured { missing: String },
    #[error(
        "The bot's client secret was entered for {entered_for}, but sign-in now goes to {now}. \
         So that the secret is never sent to a host it was not meant for, enter it again on the \
         Bot identity provider card (Connectors › Microsoft Teams)."
    )]
    SecretForAnotherHost { entered_for: String, now: String },
    #[error(
        "The bot is not connected. Open Connectors › Microsoft Teams › BOT IDENTITY PROVIDER and \
         select CONNECT."
    )]
    NotConnected,
    #[error(
        "The {cloud} cloud has no published Bot Connector address. Choose the Custom cloud in \
         Settings and enter the Bot Connector URL."
    )]
    NoConnectorUrl { cloud: String },
    #[error(
        "Microsoft did not accept the bot's client secret. Copy the secret's Value (not its \
         Secret ID) from Entra admin center › App registrations › the bot › Certificates & \
         secrets, save it on the bot card and connect again."
    )]
    SecretRejected,
    #[error(
        "The bot's client secret has expired. Create a new one in Entra admin center › App \
         registrations › the bot › Certificates & secrets, save it on the bot card and connect \
         again. Messages waiting to be sent are kept."
    )]
    SecretExpired,
    #[error(
        "Microsoft does not know the application ID {app_id} in tenant {tenant}. Check the \
         bot's application ID and tenant on the bot card, and the cloud in Settings."
    )]
    AppNotFound { app_id: String, tenant: String },
    #[error(
        "The administrator declined the bot's permissions, so it is not connected. Select \
         CONNECT and choose Accept to connect."
    )]
    ConsentDeclined,
    #[error(
        "Only an administrator of the tenant (Global Administrator, Privileged Role \
         Administrator or Cloud Application Administrator) can approve the bot's permissions. \
         Select CONNECT and sign in with such an account."
    )]
    ConsentNeedsAdmin,
    #[error("Microsoft refused the consent: {description}")]
    ConsentRefused { description: String },
    #[error("Microsoft refused the bot's sign-in: {description}")]
    TokenRefused { description: String },
    /// The bot's credentials stopped working earlier; the sentence says why.
    #[error("{reason}")]
    ReconnectNeeded { code: ErrorCode, reason: String },
    #[error(
        "The bot may not {what}. In Entra admin center › App registrations › the bot › API \
         permissions, add the application permission {permission}, grant admin consent, then \
         select CONNECT again (new permissions can take a few minutes to apply)."
    )]
    MissingPermission {
        what: String,
        permission: &'static str,
    },
    #[error("The Bot Connector did not accept the bot's token ({message}).")]
    ConnectorUnauthorized { message: String },
    #[error(
        "{APP_NAME} is not installed for {name}, so the bot cannot message them. Add it in Teams \
         admin center › Teams apps › Setup policies › Installed apps (it can take a few hours to \
         reach people), then send again."
    )]
    NotInstalledForPerson { name: String },
    #[error(
        "{APP_NAME} is not installed in the team {team}, so the bot cannot post in its channels. \
         Add the app to the team (Teams › the team › Manage team › Apps), then send again."
    )]
    NotInstalledInTeam { team: String },
    #[error(
        "{APP_NAME} is not installed for {name} any more (it was removed or blocked in Teams), \
         so the bot cannot message them. Add it again under Teams admin center › Setup policies \
         › Installed apps, then send again."
    )]
    Blocked { name: String },
    #[error(
        "The bot can message people and channels only; it cannot post in {label}. Send this one \
         as yourself, or choose the people or the channel instead."
    )]
    UnsupportedRecipient { label: String },
    #[error("The channel “{channel}” in {team} no longer exists, so the bot cannot post there.")]
    ChannelGone { team: String, channel: String },
    #[error("{name} is no longer in your organisation's directory.")]
    PersonGone { name: String },
    #[error(
        "Microsoft Teams refused the bot's message to {label} as too large. Shorten the comment \
         and send it again."
    )]
    TooLarge { label: String },
    #[error("The Bot Connector answered {status}: {message}")]
    Connector {
        status: u16,
        code: String,
        message: String,
    },
    #[error("The Bot Connector's answer could not be read: {0}")]
    Decode(String),
    #[error("The app package could not be written to {path}: {detail}")]
    PackageWrite { path: String, detail: String },
    #[error(transparent)]
    Http(HttpError),
}

impl BotError {
    pub fn code(&self) -> ErrorCode {
        match self {
            BotError::Invalid(_) => ErrorCode::InvalidSetting,
            BotError::NotConfigured { .. }
            | BotError::NoConnectorUrl { .. }
            | BotError::SecretForAnotherHost { .. } => ErrorCode::NotConfigured,
            BotError::NotConnected => ErrorCode::NotConnected,
            BotError::SecretRejected | BotError::SecretExpired => ErrorCode::SecretRejected,
            BotError::AppNotFound { .. } => ErrorCode::AppNotFound,
            BotError::ConsentDeclined => ErrorCode::ConsentDeclined,
            BotError::ConsentNeedsAdmin | BotError::MissingPermission { .. } => {
                ErrorCode::AdminConsentRequired
            }
            BotError::ConsentRefused { .. } | BotError::TokenRefused { .. } => {
                ErrorCode::SignInRefused
            }
            BotError::ReconnectNeeded { code, .. } => *code,
            BotError::ConnectorUnauthorized { .. } => ErrorCode::GrantExpired,
            BotError::NotInstalledForPerson { .. }
            | BotError::NotInstalledInTeam { .. }
            | BotError::Blocked { .. } => ErrorCode::AppNotInstalled,
            BotError::UnsupportedRecipient { .. } => ErrorCode::InvalidRequest,
            BotError::ChannelGone { .. } | BotError::PersonGone { .. } => ErrorCode::NotFound,
            BotError::TooLarge { .. } | BotError::Connector { .. } | BotError::Decode(_) => {
                ErrorCode::ServiceError
            }
            BotError::PackageWrite { .. } => ErrorCode::FileUnreadable,
            BotError::Http(e) => e.code(),
        }
    }

    /// Whether the bot's credentials themselves stopped working (sending pauses until the bot
    /// is connected again), as opposed to one recipient's problem.
    pub fn needs_reconnect(&self) -> bool {
        matches!(
            self,
            BotError::SecretRejected
                | BotError::SecretExpired
                | BotError::AppNotFound { .. }
                | BotError::NotConnected
                | BotError::NotConfigured { .. }
                | BotError::SecretForAnotherHost { .. }
                | BotError::ConnectorUnauthorized { .. }
                | BotError::ReconnectNeeded { .. }
        )
    }
}

/// Graph's query for the app in the tenant's Teams app catalog: the package's manifest id is
/// the bot's application ID, which the catalog keeps as `externalId`.
pub(crate) fn catalog_lookup(app_id: &str) -> String {
    let filter = format!("externalId eq '{app_id}'");
    format!(
        "/appCatalogs/teamsApps?$filter={}",
        percent_encoding::utf8_percent_encode(&filter, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// Application and tenant as the bot card checks them.
pub(crate) fn setup_problems(app_id: &str, tenant: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if !app_id.is_empty() && !crate::settings::is_guid(app_id) {
        problems.push(
            "The bot's application ID is a GUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6. \
             Copy it from Entra admin center › App registrations › the bot › Overview."
                .to_string(),
        );
    }
    let lower = tenant.to_ascii_lowercase();
    if matches!(lower.as_str(), "organizations" | "common" | "consumers") {
        problems.push(format!(
            "The bot needs its own tenant, not “{tenant}”: enter the tenant ID or a verified \
             domain such as contoso.onmicrosoft.com."
        ));
    } else if !tenant.is_empty()
        && !crate::settings::is_guid(&lower)
        && !crate::settings::is_domain(&lower)
    {
        problems.push(format!(
            "“{tenant}” is neither a tenant ID nor a domain. Use a GUID such as \
             72f988bf-86f1-41af-91ab-2d7cd011db47 or a domain such as contoso.onmicrosoft.com."
        ));
    }
    problems
}

/// Teams admin center's app setup policies page. Only the commercial address is one Microsoft
/// documents for every tenant; government and 21Vianet admins use their own portals.
pub(crate) fn teams_admin_center(cloud: crate::settings::Cloud) -> Option<&'static str> {
    use crate::settings::Cloud;
    match cloud {
        Cloud::Global | Cloud::Gcc => Some("https://admin.teams.microsoft.com/policies/app-setup"),
        _ => None,
    }
}

/// The Bot Connector token's scope in each cloud
/// (<https://learn.microsoft.com/azure/bot-service/how-to-deploy-gov-cloud-high>).
pub(crate) fn connector_scope(cloud: crate::settings::Cloud) -> &'static str {
    use crate::settings::Cloud;
    match cloud {
        Cloud::GccHigh | Cloud::Dod => "https://api.botframework.us/.default",
        Cloud::China => "https://api.botframework.azure.cn/.default",
        Cloud::Global | Cloud::Gcc | Cloud::Custom => "https://api.botframework.com/.default",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bot_needs_its_own_tenant_and_a_guid() {
        assert!(setup_problems("", "").is_empty());
        assert!(
            setup_problems(
                "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "contoso.onmicrosoft.com"
            )
            .is_empty()
        );
        assert_eq!(setup_problems("bot", "organizations").len(), 2);
        assert!(setup_problems("", "not a tenant")[0].contains("neither"));
    }

    #[test]
    fn a_rejected_secret_pauses_sending_but_a_missing_install_does_not() {
        assert!(BotError::SecretRejected.needs_reconnect());
        assert!(
            !BotError::NotInstalledForPerson {
                name: "Jane Doe".into()
            }
            .needs_reconnect()
        );
        assert_eq!(
            BotError::NotInstalledForPerson {
                name: "Jane Doe".into()
            }
            .to_string()
            .split(',')
            .next()
            .unwrap(),
            "OX Security Alerts is not installed for Jane Doe"
        );
    }
}
