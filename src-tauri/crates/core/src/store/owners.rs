//! Owner routing rows (migration 0013): where CODEOWNERS is read from, GitHub owners mapped to
//! Teams places, and what the directory said of e-mail owners.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::columns::time;
use super::{Store, StoreError};
use crate::outbox::Recipient;

/// A GitHub user or team (or an e-mail address) mapped to a Teams place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerMappingRow {
    /// As CODEOWNERS writes it.
    pub written: String,
    pub recipient: Recipient,
}

/// What the directory said of an e-mail owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryAnswer {
    /// `None`: nobody in the directory has this address.
    pub person: Option<Recipient>,
    pub checked_at: DateTime<Utc>,
}

/// The key an owner is stored under: CODEOWNERS and e-mail addresses are case-insensitive.
pub fn owner_key(written: &str) -> String {
    written.trim().to_lowercase()
}

impl Store {
    /// The repository folder or CODEOWNERS file the person chose.
    pub fn owner_location(&self) -> Result<Option<String>, StoreError> {
        self.connection()
            .query_row("SELECT location FROM owner_source WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.map_error(e))
    }

    pub fn set_owner_location(
        &self,
        location: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let connection = self.connection();
        let result = match location {
            Some(location) => connection.execute(
                "INSERT INTO owner_source (id, location, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET location = excluded.location,
                    updated_at = excluded.updated_at",
                params![location, now.to_rfc3339()],
            ),
            None => connection.execute("DELETE FROM owner_source", []),
        };
        result.map(|_| ()).map_err(|e| self.map_error(e))
    }

    /// Every mapping, by [`owner_key`].
    pub fn owner_mappings(&self) -> Result<HashMap<String, OwnerMappingRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached("SELECT owner, written, recipient FROM owner_mappings")
            .map_err(|e| self.map_error(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    OwnerMappingRow {
                        written: r.get(1)?,
                        recipient: r.get(2)?,
                    },
                ))
            })
            .map_err(|e| self.map_error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.map_error(e))
    }

    /// Maps an owner to a place, or removes its mapping (`None`).
    pub fn map_owner(
        &self,
        written: &str,
        recipient: Option<&Recipient>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let connection = self.connection();
        let result = match recipient {
            Some(recipient) => connection.execute(
                "INSERT INTO owner_mappings (owner, written, recipient, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (owner) DO UPDATE SET written = excluded.written,
                    recipient = excluded.recipient, updated_at = excluded.updated_at",
                params![
                    owner_key(written),
                    written.trim(),
                    recipient,
                    now.to_rfc3339()
                ],
            ),
            None => connection.execute(
                "DELETE FROM owner_mappings WHERE owner = ?1",
                params![owner_key(written)],
            ),
        };
        result.map(|_| ()).map_err(|e| self.map_error(e))
    }

    /// What the directory said of each e-mail owner looked up, by lowercased address.
    pub fn owner_directory(&self) -> Result<HashMap<String, DirectoryAnswer>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT mail, user_id, name, found_mail, checked_at FROM owner_directory",
            )
            .map_err(|e| self.map_error(e))?;
        let rows = statement
            .query_map([], |r| {
                let user_id: Option<String> = r.get(1)?;
                let person = match user_id {
                    Some(user_id) => Some(Recipient::Person {
                        user_id,
                        name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        mail: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    }),
                    None => None,
                };
                Ok((
                    r.get::<_, String>(0)?,
                    DirectoryAnswer {
                        person,
                        checked_at: time(r.get(4)?)?,
                    },
                ))
            })
            .map_err(|e| self.map_error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.map_error(e))
    }

    /// Records the directory's answer for an address (`None`: not in the directory).
    pub fn save_directory_answer(
        &self,
        mail: &str,
        person: Option<&Recipient>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (user_id, name, found) = match person {
            Some(Recipient::Person {
                user_id,
                name,
                mail,
            }) => (Some(user_id), Some(name), Some(mail)),
            _ => (None, None, None),
        };
        self.connection()
            .execute(
                "INSERT INTO owner_directory (mail, user_id, name, found_mail, checked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (mail) DO UPDATE SET user_id = excluded.user_id,
                    name = excluded.name, found_mail = excluded.found_mail,
                    checked_at = excluded.checked_at",
                params![owner_key(mail), user_id, name, found, now.to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }
}
