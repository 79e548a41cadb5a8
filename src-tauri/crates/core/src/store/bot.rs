//! The bot row (at most one) and the bot's personal conversations.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// What is configured for the bot, and its connection as JSON (no token, no secret).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BotRow {
    pub app_id: String,
    pub tenant: String,
    pub connection: Option<String>,
}

impl Store {
    pub fn load_bot(&self) -> Result<BotRow, StoreError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT app_id, tenant, connection FROM bot WHERE id = 1",
                [],
                |r| {
                    Ok(BotRow {
                        app_id: r.get(0)?,
                        tenant: r.get(1)?,
                        connection: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.map_error(e))?
            .unwrap_or_default())
    }

    pub fn save_bot(&self, row: &BotRow, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO bot (id, app_id, tenant, connection, updated_at)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![row.app_id, row.tenant, row.connection, now.to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    /// The bot's conversation with a recipient, when one was created before.
    pub fn bot_conversation(&self, recipient_key: &str) -> Result<Option<String>, StoreError> {
        self.connection()
            .query_row(
                "SELECT conversation_id FROM bot_conversations WHERE recipient_key = ?1",
                params![recipient_key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.map_error(e))
    }

    pub fn save_bot_conversation(
        &self,
        recipient_key: &str,
        conversation_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO bot_conversations (recipient_key, conversation_id, created_at)
                 VALUES (?1, ?2, ?3)",
                params![recipient_key, conversation_id, now.to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    /// Forgets every bot conversation (another bot, or the person removed the chat).
    pub fn forget_bot_conversations(&self, recipient_key: Option<&str>) -> Result<(), StoreError> {
        let connection = self.connection();
        match recipient_key {
            Some(key) => connection.execute(
                "DELETE FROM bot_conversations WHERE recipient_key = ?1",
                params![key],
            ),
            None => connection.execute("DELETE FROM bot_conversations", []),
        }
        .map(|_| ())
        .map_err(|e| self.map_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bot_row_round_trips_and_conversations_are_remembered() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.load_bot().unwrap(), BotRow::default());
        let now = Utc::now();
        let row = BotRow {
            app_id: "app".into(),
            tenant: "contoso.example".into(),
            connection: Some("{}".into()),
        };
        store.save_bot(&row, now).unwrap();
        assert_eq!(store.load_bot().unwrap(), row);
        store.save_bot_conversation("person:1", "a:1", now).unwrap();
        assert_eq!(
            store.bot_conversation("person:1").unwrap().as_deref(),
            Some("a:1")
        );
        store.forget_bot_conversations(Some("person:1")).unwrap();
        assert_eq!(store.bot_conversation("person:1").unwrap(), None);
    }
}
