//! Connecting Microsoft Teams with the Identity provider method: the person signs in in their
//! browser (authorization code with PKCE), the refresh token goes to the OS keychain, access
//! tokens stay in memory and are renewed ahead of expiry, one renewal at a time.

pub mod attempts;
mod connect;

pub(crate) use connect::send_browser_to;
pub use connect::{SignInRequest, admin_center_url, launch};
pub mod entra;
pub mod error;
pub mod loopback;

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

pub use error::AuthError;

use crate::error::ErrorCode;
use crate::permissions::PermissionScope;
use crate::secrets::Secret;

/// Signing in as the person: the connection, its permissions, and Graph calls made as them. A view
/// of the core ([`crate::Core::auth`]).
#[derive(Clone, Copy)]
pub struct Auth<'a> {
    pub(crate) core: &'a crate::Core,
}

/// The keychain entry holding the refresh token.
pub const REFRESH_TOKEN_SECRET: &str = "identity-provider.refresh-token";

/// How long the app waits for the browser to come back.
pub const SIGN_IN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Access tokens are renewed this long before they expire.
const REFRESH_AHEAD: chrono::Duration = chrono::Duration::minutes(5);

/// The custom-scheme redirect, for tenants that register it instead of `http://localhost`.
pub const CUSTOM_SCHEME_REDIRECT: &str = "ox-teams://auth/callback";

/// Who is connected, where, and with which permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Account {
    pub name: String,
    pub mail: String,
    pub user_id: String,
    pub tenant_id: String,
    /// The tenant as configured when connecting.
    pub tenant: String,
    pub cloud_label: String,
    #[ts(type = "string")]
    pub connected_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub refreshed_at: Option<DateTime<Utc>>,
    pub granted_scopes: Vec<String>,
    /// The cloud, tenant or application in Settings differ from the ones connected with.
    pub settings_changed: bool,
}

/// Whether Microsoft Teams is connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionState {
    NotConnected,
    Connected {
        account: Account,
    },
    /// The grant is gone (revoked, expired, blocked): the person must connect again. Nothing
    /// waiting to be sent is dropped meanwhile.
    ReconnectNeeded {
        account: Account,
        code: ErrorCode,
        reason: String,
        #[ts(type = "string")]
        since: DateTime<Utc>,
    },
}

/// Told to the window while the app waits for the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SignInWaiting {
    /// The address the browser was sent to; the person can open it by hand.
    pub authorize_url: String,
    /// Why the browser could not be opened, when it could not.
    pub browser_problem: Option<String>,
}

/// One permission as the Permissions view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PermissionStatus {
    pub scope: PermissionScope,
    /// `None` while not connected.
    pub granted: Option<bool>,
}

/// A consent recorded in the tenant (`oauth2PermissionGrant`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TenantGrant {
    /// `AllPrincipals` (an administrator, for everyone) or `Principal` (one person).
    pub consent_type: String,
    /// Who consented, for `Principal` grants.
    pub principal: Option<String>,
    pub scopes: Vec<String>,
}

/// The tenant's own records of this app, when the signed-in person may read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum TenantRecords {
    Found {
        service_principal_id: String,
        display_name: String,
        grants: Vec<TenantGrant>,
    },
    /// The tenant has no service principal for this client id.
    Missing,
    Unavailable {
        reason: String,
    },
}

/// Requested versus granted, and what the tenant itself says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PermissionReport {
    pub connected: bool,
    pub permissions: Vec<PermissionStatus>,
    /// Requested but not granted: what "Ask for the missing permissions" asks for.
    pub missing: Vec<String>,
    /// Permissions a person may add (incremental consent), with whether they are granted.
    pub optional: Vec<PermissionStatus>,
    pub tenant_records: TenantRecords,
    /// The app's permissions page in the cloud's admin center, when it has one.
    pub admin_center_url: Option<String>,
}

/// An access token, when it expires, and whose it is (the person's user id; none for the bot).
type CachedToken = (Secret, DateTime<Utc>, Option<String>);

/// The access token in memory and the lock that makes renewals one at a time.
#[derive(Default)]
pub struct Session {
    cached: Mutex<Option<CachedToken>>,
    pub(crate) renewal: tokio::sync::Mutex<()>,
}

impl Session {
    pub(crate) fn fresh(&self, now: DateTime<Utc>) -> Option<Secret> {
        self.fresh_for(None, now)
    }

    /// The token, when it is fresh and `owner`'s: another process sharing the data folder may
    /// have connected someone else since it was issued.
    pub(crate) fn fresh_for(&self, owner: Option<&str>, now: DateTime<Utc>) -> Option<Secret> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached
            .as_ref()
            .filter(|(_, expires, whose)| {
                *expires - now > REFRESH_AHEAD && whose.as_deref() == owner
            })
            .map(|(token, _, _)| token.clone())
    }

    pub(crate) fn store(&self, token: Secret, expires: DateTime<Utc>) {
        self.store_for(None, token, expires);
    }

    pub(crate) fn store_for(&self, owner: Option<&str>, token: Secret, expires: DateTime<Utc>) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((token, expires, owner.map(str::to_string)));
    }

    pub(crate) fn clear(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Runs `call` with this session's token; when the service refuses the token (a 401: it
    /// can be revoked or rotated before it expires), forgets it and runs once more with a
    /// renewed one. The one rule for Graph as the person, Graph as the bot and the Bot
    /// Connector. The outer error is getting a token; the inner one is the service's answer.
    pub(crate) async fn once_more_if_refused<T, E, Token, TokenFut, Call, CallFut>(
        &self,
        token: Token,
        call: Call,
        refused: impl Fn(&E) -> bool,
    ) -> crate::Result<std::result::Result<T, E>>
    where
        Token: Fn() -> TokenFut,
        TokenFut: std::future::Future<Output = crate::Result<Secret>>,
        Call: Fn(Secret) -> CallFut,
        CallFut: std::future::Future<Output = std::result::Result<T, E>>,
    {
        match call(token().await?).await {
            Err(error) if refused(&error) => {
                self.clear();
                Ok(call(token().await?).await)
            }
            other => Ok(other),
        }
    }
}

/// Scope names without a resource prefix, for comparing: Microsoft answers in the form asked
/// for (`User.Read` or `https://graph.microsoft.com/User.Read`).
pub fn short_scope(scope: &str) -> &str {
    if scope.contains("://") {
        scope.rsplit('/').next().unwrap_or(scope)
    } else {
        scope
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_compare_without_their_resource() {
        assert_eq!(
            short_scope("https://graph.microsoft.com/User.Read"),
            "User.Read"
        );
        assert_eq!(
            short_scope("http://127.0.0.1:4000/Chat.ReadWrite"),
            "Chat.ReadWrite"
        );
        assert_eq!(short_scope("offline_access"), "offline_access");
    }

    #[test]
    fn a_token_close_to_expiry_is_not_fresh() {
        let session = Session::default();
        let now = Utc::now();
        session.store(Secret::new("at"), now + chrono::Duration::minutes(4));
        assert!(session.fresh(now).is_none());
        session.store(Secret::new("at"), now + chrono::Duration::minutes(30));
        assert_eq!(session.fresh(now).unwrap().expose(), "at");
    }
}
