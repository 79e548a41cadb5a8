//! Settings rows.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreError};
use crate::settings::{SettingKey, Settings};

impl Store {
    /// The saved settings over the defaults. A key written by a newer version is ignored.
    pub fn load_settings(&self) -> Result<Settings, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached("SELECT key, value FROM settings")
            .map_err(|e| self.map_error(e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| self.map_error(e))?;
        let mut settings = Settings::default();
        for row in rows {
            let (key, value) = row.map_err(|e| self.map_error(e))?;
            let Ok(key) = key.parse::<SettingKey>() else {
                continue;
            };
            match settings.with(key, &value) {
                Ok(next) => settings = next,
                Err(_) => log::warn!("ignoring an unreadable stored value for {}", key.as_str()),
            }
        }
        Ok(settings)
    }

    /// Writes every setting in one transaction.
    pub fn save_settings(&self, settings: &Settings, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.map_error(e))?;
        {
            let mut upsert = transaction
                .prepare_cached(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                         updated_at = excluded.updated_at
                     WHERE value <> excluded.value",
                )
                .map_err(|e| self.map_error(e))?;
            for key in SettingKey::ALL {
                upsert
                    .execute(params![key.as_str(), settings.get(key), now.to_rfc3339()])
                    .map_err(|e| self.map_error(e))?;
            }
        }
        transaction.commit().map_err(|e| self.map_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Cloud;

    #[test]
    fn settings_round_trip() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.load_settings().unwrap(), Settings::default());
        let settings = Settings {
            cloud: Cloud::GccHigh,
            tenant: "contoso.onmicrosoft.us".into(),
            client_id: "3fa85f64-5717-4562-b3fc-2c963f66afa6".into(),
            ..Settings::default()
        };
        store.save_settings(&settings, Utc::now()).unwrap();
        assert_eq!(store.load_settings().unwrap(), settings);
    }
}
