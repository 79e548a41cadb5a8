//! Owner routing rows (migration 0013): where CODEOWNERS is read from, GitHub owners mapped to
//! Teams places, and what the directory said of e-mail owners.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::columns::time;
use super::{Store, StoreError};
use crate::outbox::Recipient;
use crate::owners::OwnersLocation;

/// CODEOWNERS as fetched from a repository through GitHub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedCodeOwners {
    pub text: String,
    /// Where in the repository it was found (`.github/CODEOWNERS`).
    pub file: String,
    pub fetched_at: DateTime<Utc>,
}

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
    /// Where the person pointed the app for CODEOWNERS.
    pub fn owner_location(&self) -> Result<Option<OwnersLocation>, StoreError> {
        let text: Option<String> = self
            .connection()
            .query_row("SELECT location FROM owner_source WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.map_error(e))?;
        // A location this version cannot read is no location (the page asks again).
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Sets (or with `None`, forgets) the location, and with it any copy fetched before.
    pub fn set_owner_location(
        &self,
        location: Option<&OwnersLocation>,
        fetched: Option<&FetchedCodeOwners>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let connection = self.connection();
        let result = match location {
            Some(location) => connection.execute(
                "INSERT INTO owner_source (id, location, updated_at, text, file, fetched_at, fetch_error)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, NULL)
                 ON CONFLICT (id) DO UPDATE SET location = excluded.location,
                    updated_at = excluded.updated_at, text = excluded.text, file = excluded.file,
                    fetched_at = excluded.fetched_at, fetch_error = NULL",
                params![
                    serde_json::to_string(location).expect("a location serialises"),
                    now.to_rfc3339(),
                    fetched.map(|f| &f.text),
                    fetched.map(|f| &f.file),
                    fetched.map(|f| f.fetched_at.to_rfc3339()),
                ],
            ),
            None => connection.execute("DELETE FROM owner_source", []),
        };
        result.map(|_| ()).map_err(|e| self.map_error(e))
    }

    /// The copy of CODEOWNERS fetched through GitHub, and why the last fetch failed.
    pub fn owner_fetch(&self) -> Result<(Option<FetchedCodeOwners>, Option<String>), StoreError> {
        let row = self
            .connection()
            .query_row(
                "SELECT text, file, fetched_at, fetch_error FROM owner_source WHERE id = 1",
                [],
                |r| {
                    let fetched = match (
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ) {
                        (Some(text), Some(file), Some(at)) => Some(FetchedCodeOwners {
                            text,
                            file,
                            fetched_at: time(at)?,
                        }),
                        _ => None,
                    };
                    Ok((fetched, r.get::<_, Option<String>>(3)?))
                },
            )
            .optional()
            .map_err(|e| self.map_error(e))?;
        Ok(row.unwrap_or((None, None)))
    }

    /// Records a fetch: its copy replaces the last (`Ok`), or its failure is kept beside it.
    pub fn save_owner_fetch(
        &self,
        fetched: std::result::Result<&FetchedCodeOwners, &str>,
    ) -> Result<(), StoreError> {
        let connection = self.connection();
        let result = match fetched {
            Ok(f) => connection.execute(
                "UPDATE owner_source SET text = ?1, file = ?2, fetched_at = ?3, fetch_error = NULL
                 WHERE id = 1",
                params![f.text, f.file, f.fetched_at.to_rfc3339()],
            ),
            Err(problem) => connection.execute(
                "UPDATE owner_source SET fetch_error = ?1 WHERE id = 1",
                params![problem],
            ),
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
