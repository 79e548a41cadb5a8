//! Secrets (refresh tokens, the bot's client secret) live only in the OS keychain.
//!
//! They are carried in [`Secret`], which prints as `[redacted]`, has no `Serialize`, and is wiped
//! from memory when dropped. [`KeychainStore`] is the real store; [`MemoryStore`] is for tests.
//! When no keychain is reachable the store says so and what to install: there is no fallback
//! to a file.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroize;

use crate::error::ErrorCode;

/// A secret value. It cannot be printed, logged or serialised by accident; read it with
/// [`Secret::expose`] at the one place that sends it.
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret(self.0.clone())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A secret may come in (the bot's client secret typed on its card); it never goes out.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

// Compile-time proof that `Secret` has no `Serialize` implementation: if one is ever added, the
// call below becomes ambiguous and the crate stops compiling.
trait AmbiguousIfSerialize<Marker> {
    fn check() {}
}
impl<T: ?Sized> AmbiguousIfSerialize<()> for T {}
struct IsSerialize;
impl<T: ?Sized + Serialize> AmbiguousIfSerialize<IsSerialize> for T {}
const _: fn() = || <Secret as AmbiguousIfSerialize<_>>::check();

/// Whether secrets can be kept, as the Settings page and `status` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum KeychainStatus {
    Available { backend: String },
    Unavailable { code: ErrorCode, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("{} Details: {detail}", install_hint())]
    Unavailable { detail: String },
    #[error(
        "The OS keychain is locked or refused access. Unlock it (signing in to your desktop \
         session usually does) and try again. Details: {detail}"
    )]
    Locked { detail: String },
    #[error("The OS keychain could not read or write “{name}”: {detail}")]
    Failed { name: String, detail: String },
}

impl SecretError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SecretError::Unavailable { .. } => ErrorCode::KeychainUnavailable,
            SecretError::Locked { .. } => ErrorCode::KeychainLocked,
            SecretError::Failed { .. } => ErrorCode::KeychainFailed,
        }
    }
}

fn install_hint() -> &'static str {
    if cfg!(target_os = "macos") {
        "The macOS Keychain cannot be reached, and OX Teams Connector keeps sign-in secrets \
         nowhere else. Sign in to your Mac user session and try again."
    } else if cfg!(windows) {
        "The Windows Credential Manager cannot be reached, and OX Teams Connector keeps sign-in \
         secrets nowhere else. Sign in to Windows as yourself and try again."
    } else {
        "No OS keychain is reachable, and OX Teams Connector keeps sign-in secrets nowhere else. \
         Install a Secret Service provider such as GNOME Keyring (sudo apt install \
         gnome-keyring) or KWallet, make sure it runs in your desktop session, then restart \
         the app."
    }
}

/// Where secrets are kept. Calls may block (the OS keychain talks over IPC): call them from a
/// blocking-friendly thread.
pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError>;
    /// Stores `value` under `name`, replacing any earlier value in one step.
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError>;
    /// Forgets `name`; forgetting something absent is not an error.
    fn delete(&self, name: &str) -> Result<(), SecretError>;
    fn status(&self) -> KeychainStatus;
}

/// The OS keychain: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    /// Entries are filed under `service`, so separate installs (or tests) do not collide.
    pub fn new(service: impl Into<String>) -> Self {
        KeychainStore {
            service: service.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, name).map_err(|e| map_keyring_error(name, e))
    }

    fn backend() -> &'static str {
        if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(windows) {
            "Windows Credential Manager"
        } else {
            "Secret Service"
        }
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(name, e)),
        }
    }

    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.entry(name)?
            .set_password(value.expose())
            .map_err(|e| map_keyring_error(name, e))
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(name, e)),
        }
    }

    fn status(&self) -> KeychainStatus {
        // A read of an entry that does not exist proves the store answers without touching
        // anything that matters.
        match self.get("availability-probe") {
            Ok(_) => KeychainStatus::Available {
                backend: Self::backend().to_string(),
            },
            Err(e) => KeychainStatus::Unavailable {
                code: e.code(),
                message: e.to_string(),
            },
        }
    }
}

/// Turns a keyring error into ours without ever carrying secret bytes along (`BadEncoding`
/// holds the raw secret).
fn map_keyring_error(name: &str, error: keyring::Error) -> SecretError {
    match error {
        keyring::Error::NoDefaultStore => SecretError::Unavailable {
            detail: match keyring::Entry::store_status() {
                Err(keyring::Error::PlatformFailure(e)) => e.to_string(),
                _ => "the keychain could not be opened".to_string(),
            },
        },
        keyring::Error::PlatformFailure(e) => SecretError::Unavailable {
            detail: e.to_string(),
        },
        keyring::Error::NoStorageAccess(e) => SecretError::Locked {
            detail: e.to_string(),
        },
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => SecretError::Failed {
            name: name.to_string(),
            detail: "the stored value is not text".to_string(),
        },
        keyring::Error::Ambiguous(_) => SecretError::Failed {
            name: name.to_string(),
            detail: "several entries match; remove the duplicates in your keychain manager"
                .to_string(),
        },
        other => SecretError::Failed {
            name: name.to_string(),
            detail: other.to_string(),
        },
    }
}

/// Secrets in memory, for tests. It can be told to fail like a missing keychain.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Secret>>,
    failure: Option<SecretError>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store whose every call fails with `error`.
    pub fn failing(error: SecretError) -> Self {
        MemoryStore {
            entries: Mutex::default(),
            failure: Some(error),
        }
    }

    /// The names currently held, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .entries
            .lock()
            .expect("secrets lock")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    fn check(&self) -> Result<(), SecretError> {
        self.failure.clone().map_or(Ok(()), Err)
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        self.check()?;
        Ok(self
            .entries
            .lock()
            .expect("secrets lock")
            .get(name)
            .cloned())
    }

    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.check()?;
        self.entries
            .lock()
            .expect("secrets lock")
            .insert(name.to_string(), value.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.check()?;
        self.entries.lock().expect("secrets lock").remove(name);
        Ok(())
    }

    fn status(&self) -> KeychainStatus {
        match self.check() {
            Ok(()) => KeychainStatus::Available {
                backend: "memory (tests only)".to_string(),
            },
            Err(e) => KeychainStatus::Unavailable {
                code: e.code(),
                message: e.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret::new("0.AXoA-refresh-token-value");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some([redacted])");
        assert_eq!(secret.expose(), "0.AXoA-refresh-token-value");
    }

    #[test]
    fn memory_store_sets_replaces_and_deletes() {
        let store = MemoryStore::new();
        assert_eq!(store.get("refresh-token").unwrap(), None);
        store.set("refresh-token", &Secret::new("one")).unwrap();
        store.set("refresh-token", &Secret::new("two")).unwrap();
        assert_eq!(store.get("refresh-token").unwrap().unwrap().expose(), "two");
        store.delete("refresh-token").unwrap();
        store.delete("refresh-token").unwrap();
        assert_eq!(store.get("refresh-token").unwrap(), None);
        assert!(matches!(store.status(), KeychainStatus::Available { .. }));
    }

    #[test]
    fn a_missing_keychain_names_what_to_install_and_keeps_nothing() {
        let store = MemoryStore::failing(SecretError::Unavailable {
            detail: "org.freedesktop.secrets was not provided by any .service files".into(),
        });
        let error = store
            .set("refresh-token", &Secret::new("value"))
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::KeychainUnavailable);
        #[cfg(target_os = "linux")]
        assert!(error.to_string().contains("gnome-keyring"), "{error}");
        assert!(store.names().is_empty());
        match store.status() {
            KeychainStatus::Unavailable { code, message } => {
                assert_eq!(code, ErrorCode::KeychainUnavailable);
                assert!(message.contains("org.freedesktop.secrets"));
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
    }

    #[test]
    fn keyring_errors_never_carry_the_secret_bytes() {
        let error = map_keyring_error(
            "refresh-token",
            keyring::Error::BadEncoding(b"hunter2".to_vec()),
        );
        assert!(!error.to_string().contains("hunter2"));
        assert!(!format!("{error:?}").contains("hunter2"));
    }
}
