//! The error every public function of the core returns, and the `{code, message}` form it takes
//! when it reaches the UI or a script.
//!
//! Each module family has its own `thiserror` enum; this module only gathers them and gives each
//! variant a stable [`ErrorCode`]. Codes are part of the contract with the UI and the CLI's
//! `--json` output: add new ones, never rename or reuse them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::auth::AuthError;
use crate::http::HttpError;
use crate::links::LinkError;
use crate::secrets::SecretError;
use crate::settings::SettingsError;
use crate::store::StoreError;

/// Stable error codes the UI and scripts branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// A setting was refused; the message says which and why.
    InvalidSetting,
    /// The SQLite file cannot be opened, created or written.
    DatabaseUnavailable,
    /// The SQLite file is not a database (damaged or overwritten).
    DatabaseCorrupt,
    /// The SQLite file was written by a newer version of the app.
    DatabaseTooNew,
    /// Another program kept the database locked for too long.
    DatabaseBusy,
    /// No OS keychain is reachable (nothing provides the Secret Service, no session bus, ...).
    KeychainUnavailable,
    /// The keychain exists but is locked or refused access.
    KeychainLocked,
    /// The keychain answered with something unexpected.
    KeychainFailed,
    /// The network could not reach a service (DNS, connect, TLS, timeout).
    Network,
    /// A request reached a service but its answer was lost, so whether it was carried out is
    /// unknown (a timeout or dropped connection after sending, or a gateway's 502/503/504).
    ReplyLost,
    /// A service kept throttling past what the retry policy allows waiting for.
    Throttled,
    /// A service answered with an error status.
    ServiceError,
    /// An `ox-teams://` link that the app cannot open.
    InvalidLink,
    /// No application (client) ID is set, so there is nothing to connect with.
    NotConfigured,
    /// Microsoft Teams is not connected.
    NotConnected,
    /// The person declined the permissions on Microsoft's consent page.
    ConsentDeclined,
    /// Permissions need an administrator's consent first.
    AdminConsentRequired,
    /// Multi-factor authentication is required: reconnect.
    MfaRequired,
    /// Conditional Access blocked the sign-in.
    BlockedByPolicy,
    /// The grant was revoked or expired: reconnect.
    GrantExpired,
    /// The app registration does not accept the app's redirect URI.
    RedirectUriMismatch,
    /// The client ID is unknown in that tenant or cloud.
    AppNotFound,
    /// The app registration is not a public client.
    NotPublicClient,
    /// The browser answered for another sign-in attempt.
    SignInStateMismatch,
    /// Nobody finished signing in within the time allowed.
    SignInTimedOut,
    /// The person cancelled the sign-in.
    SignInCancelled,
    /// The browser (or the configured browser command) could not be started.
    BrowserFailed,
    /// Microsoft refused the sign-in for another reason; the message quotes it.
    SignInRefused,
    /// Microsoft refused a call for lack of a permission or access.
    Forbidden,
    /// What was asked for does not exist (any more).
    NotFound,
    /// A file could not be read.
    FileUnreadable,
    /// A findings file is not valid SARIF 2.1.0 or the app's JSON format.
    InvalidFindings,
    /// The person cancelled a long operation.
    Cancelled,
    /// What was asked cannot be done as asked; the message says why.
    InvalidRequest,
    /// The app stopped in the middle of sending and cannot tell whether the message arrived.
    SendInterrupted,
    /// The bot's client secret was refused or has expired.
    SecretRejected,
    /// The organisation's Teams app is not installed where the message should go.
    AppNotInstalled,
    /// A source's token (GitHub) is missing, expired or revoked: add it again.
    TokenRejected,
    /// The keychain this process reads holds no refresh token for the saved connection
    /// (another user session or keychain made it): connect again here.
    SecretMissing,
    /// The action would send many messages at once; ask the person, then repeat it confirmed.
    ConfirmationNeeded,
    /// Held: queued by the account connected before another person connected.
    AccountChanged,
    /// A bug: something that should not happen. The message says what.
    Internal,
}

/// What the UI (and `--json` output) receives for any failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    /// One or two sentences a person can act on. Never contains a secret.
    pub message: String,
}

/// Any failure of the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
    #[error(transparent)]
    Issue(#[from] crate::issues::IssueError),
    #[error(transparent)]
    Outbox(#[from] crate::outbox::OutboxError),
    #[error(transparent)]
    Bot(#[from] crate::bot::BotError),
    #[error(transparent)]
    Workflow(#[from] crate::workflows::WorkflowError),
    #[error(transparent)]
    Source(#[from] crate::sources::SourceError),
    #[error(transparent)]
    Owners(#[from] crate::owners::OwnersError),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Settings(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::Secret(e) => e.code(),
            Error::Http(e) => e.code(),
            Error::Link(_) => ErrorCode::InvalidLink,
            Error::Auth(e) => e.code(),
            Error::Graph(e) => e.code(),
            Error::Issue(e) => e.code(),
            Error::Outbox(e) => e.code(),
            Error::Bot(e) => e.code(),
            Error::Workflow(e) => e.code(),
            Error::Source(e) => e.code(),
            Error::Owners(e) => e.code(),
        }
    }
}

impl From<&Error> for AppError {
    fn from(error: &Error) -> Self {
        AppError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        AppError::from(&error)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
