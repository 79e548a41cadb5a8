//! The connection row (at most one).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::columns::time;
use super::{Store, StoreError};

/// What the app remembers of a connection. No token is ever part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRecord {
    pub method: String,
    pub user_id: String,
    pub user_name: String,
    pub user_mail: String,
    pub tenant_id: String,
    /// The tenant as configured when connecting (`organizations`, an id or a domain).
    pub tenant: String,
    pub cloud: String,
    pub authority: String,
    pub graph: String,
    pub client_id: String,
    pub requested_scopes: Vec<String>,
    pub granted_scopes: Vec<String>,
    pub connected_at: DateTime<Utc>,
    pub refreshed_at: Option<DateTime<Utc>>,
    /// Why the connection stopped working: (error code, sentence, when).
    pub problem: Option<(String, String, DateTime<Utc>)>,
}

impl Store {
    pub fn load_connection(&self) -> Result<Option<ConnectionRecord>, StoreError> {
        let connection = self.connection();
        connection
            .query_row(
                "SELECT method, user_id, user_name, user_mail, tenant_id, tenant, cloud, authority, graph,
                        client_id, requested_scopes, granted_scopes, connected_at, refreshed_at,
                        problem_code, problem_message, problem_at
                 FROM connection WHERE id = 1",
                [],
                |row| {
                    let problem = match (row.get::<_, Option<String>>(14)?, row.get::<_, Option<String>>(15)?, row.get::<_, Option<String>>(16)?) {
                        (Some(code), Some(message), Some(at)) => Some((code, message, time(at)?)),
                        _ => None,
                    };
                    Ok(ConnectionRecord {
                        method: row.get(0)?,
                        user_id: row.get(1)?,
                        user_name: row.get(2)?,
                        user_mail: row.get(3)?,
                        tenant_id: row.get(4)?,
                        tenant: row.get(5)?,
                        cloud: row.get(6)?,
                        authority: row.get(7)?,
                        graph: row.get(8)?,
                        client_id: row.get(9)?,
                        requested_scopes: split(row.get(10)?),
                        granted_scopes: split(row.get(11)?),
                        connected_at: time(row.get(12)?)?,
                        refreshed_at: row.get::<_, Option<String>>(13)?.map(time).transpose()?,
                        problem,
                    })
                },
            )
            .optional()
            .map_err(|e| self.map_error(e))
    }

    pub fn save_connection(&self, record: &ConnectionRecord) -> Result<(), StoreError> {
        let (code, message, at) = match &record.problem {
            Some((code, message, at)) => (
                Some(code.clone()),
                Some(message.clone()),
                Some(at.to_rfc3339()),
            ),
            None => (None, None, None),
        };
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO connection (id, method, user_id, user_name, user_mail, tenant_id,
                     tenant, cloud, authority, graph, client_id, requested_scopes, granted_scopes,
                     connected_at, refreshed_at, problem_code, problem_message, problem_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    record.method,
                    record.user_id,
                    record.user_name,
                    record.user_mail,
                    record.tenant_id,
                    record.tenant,
                    record.cloud,
                    record.authority,
                    record.graph,
                    record.client_id,
                    record.requested_scopes.join(" "),
                    record.granted_scopes.join(" "),
                    record.connected_at.to_rfc3339(),
                    record.refreshed_at.map(|t| t.to_rfc3339()),
                    code,
                    message,
                    at,
                ],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    pub fn delete_connection(&self) -> Result<(), StoreError> {
        self.connection()
            .execute("DELETE FROM connection", [])
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }
}

fn split(text: String) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_round_trips_and_can_be_forgotten() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.load_connection().unwrap(), None);
        let at = DateTime::parse_from_rfc3339("2026-05-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let record = ConnectionRecord {
            method: "identity".into(),
            user_id: "oid".into(),
            user_name: "Megan Bowen".into(),
            user_mail: "megan@contoso.example".into(),
            tenant_id: "tid".into(),
            tenant: "organizations".into(),
            cloud: "global".into(),
            authority: "https://login.microsoftonline.com".into(),
            graph: "https://graph.microsoft.com".into(),
            client_id: "client".into(),
            requested_scopes: vec!["User.Read".into(), "openid".into()],
            granted_scopes: vec!["User.Read".into()],
            connected_at: at,
            refreshed_at: None,
            problem: Some(("grant_expired".into(), "Reconnect.".into(), at)),
        };
        store.save_connection(&record).unwrap();
        assert_eq!(store.load_connection().unwrap(), Some(record));
        store.delete_connection().unwrap();
        assert_eq!(store.load_connection().unwrap(), None);
    }
}
