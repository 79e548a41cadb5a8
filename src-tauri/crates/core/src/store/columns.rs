//! How typed values are stored in columns: enums as their serde names (the same words the UI
//! and scripts see), recipients and source settings as JSON. Rows come back as these types; nothing above the
//! store parses a column again.

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::bot::Identity;
use crate::error::ErrorCode;
use crate::issues::{IssueEventKind, IssueState};
use crate::outbox::{AnswerKind, DeliveryAction, DeliveryStatus, Follow, Purpose, Recipient};
use crate::sources::SourceConfig;

/// A time stored as RFC 3339 text, read back.
pub(super) fn time(text: String) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.to_utc())
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

/// Enums stored as their serde name (`"queued"`, `"bot"`, `"not_found"`).
macro_rules! column_as_name {
    ($($kind:ty),* $(,)?) => {$(
        impl ToSql for $kind {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                match serde_json::to_value(self) {
                    Ok(serde_json::Value::String(name)) => Ok(ToSqlOutput::from(name)),
                    _ => Err(rusqlite::Error::ToSqlConversionFailure(
                        format!("{self:?} has no name to store").into(),
                    )),
                }
            }
        }

        impl FromSql for $kind {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let name = value.as_str()?;
                serde_json::from_value(serde_json::Value::String(name.to_string()))
                    .map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )*};
}

column_as_name!(
    DeliveryStatus,
    Identity,
    ErrorCode,
    IssueState,
    IssueEventKind,
    Follow,
    Purpose,
    DeliveryAction,
    AnswerKind,
);

/// Values stored as JSON.
macro_rules! column_as_json {
    ($($kind:ty),* $(,)?) => {$(
        impl ToSql for $kind {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                serde_json::to_string(self)
                    .map(ToSqlOutput::from)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            }
        }

        impl FromSql for $kind {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                serde_json::from_str(value.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )*};
}

column_as_json!(Recipient, SourceConfig);

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn round_trip<T: ToSql + FromSql>(value: &T) -> (String, T) {
        let db = Connection::open_in_memory().unwrap();
        db.query_row("SELECT ?1, ?1", [value], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    }

    #[test]
    fn enums_are_stored_by_the_names_the_ui_sees() {
        assert_eq!(
            round_trip(&DeliveryStatus::Unconfirmed),
            ("unconfirmed".to_string(), DeliveryStatus::Unconfirmed)
        );
        assert_eq!(
            round_trip(&Identity::Bot),
            ("bot".to_string(), Identity::Bot)
        );
        assert_eq!(
            round_trip(&ErrorCode::ReplyLost),
            ("reply_lost".to_string(), ErrorCode::ReplyLost)
        );
    }

    #[test]
    fn an_unknown_name_is_an_error_not_a_guess() {
        let db = Connection::open_in_memory().unwrap();
        let read: rusqlite::Result<DeliveryStatus> =
            db.query_row("SELECT 'lost'", [], |r| r.get(0));
        assert!(read.is_err());
    }

    #[test]
    fn recipients_are_stored_as_json() {
        let recipient = Recipient::Chat {
            chat_id: "19:abc".into(),
            title: "Ops".into(),
        };
        let (text, back) = round_trip(&recipient);
        assert!(text.contains("\"kind\":\"chat\""), "{text}");
        assert_eq!(back, recipient);
    }
}
