//! The error every public function of the core returns, and the `{code, message}` form it takes
//! when it reaches the UI or a script.
//!
//! Each module family has its own `thiserror` enum; this module only gathers them and gives each
//! variant a stable [`ErrorCode`]. Codes are part of the contract with the UI and the CLI's
//! `--json` output: add new ones, never rename or reuse them.

use serde::Serialize;
use ts_rs::TS;

use crate::http::HttpError;
use crate::links::LinkError;
use crate::secrets::SecretError;
use crate::settings::SettingsError;
use crate::store::StoreError;

/// Stable error codes the UI and scripts branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
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
    /// A service kept throttling past what the retry policy allows waiting for.
    Throttled,
    /// A service answered with an error status.
    ServiceError,
    /// An `ox-teams://` link that the app cannot open.
    InvalidLink,
    /// A bug: something that should not happen. The message says what.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire (`"invalid_setting"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidSetting => "invalid_setting",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::DatabaseCorrupt => "database_corrupt",
            ErrorCode::DatabaseTooNew => "database_too_new",
            ErrorCode::DatabaseBusy => "database_busy",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::KeychainLocked => "keychain_locked",
            ErrorCode::KeychainFailed => "keychain_failed",
            ErrorCode::Network => "network",
            ErrorCode::Throttled => "throttled",
            ErrorCode::ServiceError => "service_error",
            ErrorCode::InvalidLink => "invalid_link",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Settings(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::Secret(e) => e.code(),
            Error::Http(e) => e.code(),
            Error::Link(_) => ErrorCode::InvalidLink,
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
