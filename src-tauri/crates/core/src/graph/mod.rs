//! Microsoft Graph v1.0: the calls the app makes as the signed-in person.

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::ErrorCode;
use crate::http::{HttpClient, HttpError};
use crate::secrets::Secret;

/// The most pages of one Graph list the app follows: far beyond any real tenant (999 teams a page).
const MAX_PAGES: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The access token was refused; the caller refreshes once and tries again.
    #[error("Microsoft Graph did not accept the sign-in ({message}).")]
    Unauthorized { message: String },
    #[error("Microsoft Graph refused: {message}")]
    Forbidden { code: String, message: String },
    #[error("Microsoft Graph found nothing at {path}: {message}")]
    NotFound { path: String, message: String },
    #[error("Microsoft Graph answered {status}: {message}")]
    Failed {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Microsoft Graph's answer could not be read: {0}")]
    Decode(String),
    #[error(transparent)]
    Http(#[from] HttpError),
}

impl GraphError {
    /// Graph refused the token itself (401), not the request.
    pub(crate) fn is_unauthorized(&self) -> bool {
        matches!(self, GraphError::Unauthorized { .. })
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            GraphError::Unauthorized { .. } => ErrorCode::GrantExpired,
            GraphError::Forbidden { .. } => ErrorCode::Forbidden,
            GraphError::NotFound { .. } => ErrorCode::NotFound,
            GraphError::Failed { .. } | GraphError::Decode(_) => ErrorCode::ServiceError,
            GraphError::Http(e) => e.code(),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Graph under one base URL (`https://graph.microsoft.com` or a national cloud's or the
/// sandbox's) with one access token.
pub struct Graph {
    pub http: HttpClient,
    pub base: String,
    pub token: Secret,
}

/// `GET /me`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: String,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub user_principal_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    pub value: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    pub consent_type: String,
    pub principal_id: Option<String>,
    pub scope: String,
}

/// A team the person belongs to (`/me/joinedTeams`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphTeam {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphChannel {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub membership_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    pub id: String,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub user_principal_name: Option<String>,
    pub job_title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphMember {
    pub user_id: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphChat {
    pub id: String,
    pub topic: Option<String>,
    pub chat_type: String,
    #[serde(default)]
    pub members: Vec<GraphMember>,
}

/// A posted message: its id and where people can open it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostedMessage {
    pub id: String,
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}

impl Graph {
    pub async fn get<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<T, GraphError> {
        self.call(Method::GET, &self.url(path_and_query)?, None, &[])
            .await
    }

    fn url(&self, path_and_query: &str) -> Result<url::Url, GraphError> {
        url::Url::parse(&format!(
            "{}/v1.0{path_and_query}",
            self.base.trim_end_matches('/')
        ))
        .map_err(|e| GraphError::Decode(format!("bad address: {e}")))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &url::Url,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Result<T, GraphError> {
        let mut request = self
            .http
            .request(method, url.clone())
            .bearer_auth(self.token.expose());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let request = request
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        let response = self.http.send(request).await?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GraphError::Decode(e.to_string()))?;
        if status.is_success() {
            // An edit answers 204 with no body.
            let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(bytes).map_err(|e| GraphError::Decode(e.to_string()));
        }
        let (code, message) = serde_json::from_slice::<ErrorBody>(&bytes)
            .map(|b| (b.error.code, b.error.message))
            .unwrap_or_else(|_| {
                (
                    String::new(),
                    String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                )
            });
        Err(match status.as_u16() {
            401 => GraphError::Unauthorized { message },
            403 => GraphError::Forbidden { code, message },
            404 => GraphError::NotFound {
                path: url.path().to_string(),
                message,
            },
            other => GraphError::Failed {
                status: other,
                code,
                message,
            },
        })
    }

    /// Follows `@odata.nextLink` (verbatim, as Microsoft asks) up to `limit` items, on the
    /// first page's own origin only (a link elsewhere would carry the token there), and for at
    /// most [`MAX_PAGES`] pages.
    async fn all<T: DeserializeOwned>(
        &self,
        first: &str,
        headers: &[(&str, &str)],
        limit: usize,
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let first = self.url(first)?;
        let origin = first.origin();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                log::warn!("a Graph list went past {MAX_PAGES} pages; the rest is left out");
                break;
            }
            let page: Page<T> = self.call(Method::GET, &url, None, headers).await?;
            items.extend(page.value);
            if items.len() >= limit {
                items.truncate(limit);
                break;
            }
            next = page
                .next_link
                .map(|link| url::Url::parse(&link))
                .transpose()
                .map_err(|e| GraphError::Decode(e.to_string()))?;
            if let Some(link) = next.as_ref().filter(|link| link.origin() != origin) {
                return Err(GraphError::Decode(format!(
                    "Graph's next page pointed to another server ({}); the list was not followed there",
                    link.host_str().unwrap_or_default()
                )));
            }
        }
        Ok(items)
    }

    pub async fn me(&self) -> Result<Me, GraphError> {
        self.get("/me?$select=id,displayName,mail,userPrincipalName")
            .await
    }

    pub async fn joined_teams(&self) -> Result<Vec<GraphTeam>, GraphError> {
        Ok(self
            .get::<Collection<GraphTeam>>("/me/joinedTeams")
            .await?
            .value)
    }

    /// The teams a person belongs to, to tell whether an @mention in a channel notifies them.
    /// <https://learn.microsoft.com/graph/api/user-list-joinedteams>
    pub async fn teams_of(&self, user_id: &str) -> Result<Vec<GraphTeam>, GraphError> {
        Ok(self
            .get::<Collection<GraphTeam>>(&format!("/users/{}/joinedTeams", encode(user_id)))
            .await?
            .value)
    }

    /// Every team in the organisation (application permission Team.ReadBasic.All).
    pub async fn all_teams(&self, limit: usize) -> Result<Vec<GraphTeam>, GraphError> {
        self.all(
            "/teams?$top=999&$select=id,displayName,description",
            &[],
            limit,
        )
        .await
    }

    pub async fn channels(&self, team_id: &str) -> Result<Vec<GraphChannel>, GraphError> {
        let path = format!(
            "/teams/{}/channels?$select=id,displayName,description,membershipType",
            encode(team_id)
        );
        self.all(&path, &[("Prefer", "include-unknown-enum-members")], 1000)
            .await
    }

    /// One channel (to check it still exists and the person can see it).
    pub async fn channel(
        &self,
        team_id: &str,
        channel_id: &str,
    ) -> Result<GraphChannel, GraphError> {
        self.get(&format!(
            "/teams/{}/channels/{}?$select=id,displayName,description,membershipType",
            encode(team_id),
            encode(channel_id)
        ))
        .await
    }

    /// One chat the person is in.
    pub async fn chat(&self, chat_id: &str) -> Result<GraphChat, GraphError> {
        self.get(&format!("/chats/{}", encode(chat_id))).await
    }

    /// Server-side search of the directory by name or address.
    pub async fn search_people(
        &self,
        query: &str,
        top: usize,
    ) -> Result<Vec<GraphUser>, GraphError> {
        let term = query.replace('"', "");
        let search =
            format!("\"displayName:{term}\" OR \"mail:{term}\" OR \"userPrincipalName:{term}\"");
        let path = format!(
            "/users?$search={}&$top={top}&$select=id,displayName,mail,userPrincipalName,jobTitle",
            encode(&search)
        );
        let page: Page<GraphUser> = self
            .call(
                Method::GET,
                &self.url(&path)?,
                None,
                &[("ConsistencyLevel", "eventual")],
            )
            .await?;
        Ok(page.value)
    }

    /// The person whose mail address or sign-in name is `address` (they differ in many
    /// organisations); `None`: nobody has it.
    /// <https://learn.microsoft.com/graph/api/user-list> (`$filter` on `mail`, `userPrincipalName`)
    pub async fn user_by_address(&self, address: &str) -> Result<Option<GraphUser>, GraphError> {
        let quoted = address.replace('\'', "''");
        let filter = format!("mail eq '{quoted}' or userPrincipalName eq '{quoted}'");
        let page: Page<GraphUser> = self
            .get(&format!(
                "/users?$filter={}&$select=id,displayName,mail,userPrincipalName,jobTitle",
                encode(&filter)
            ))
            .await?;
        Ok(page.value.into_iter().next())
    }

    pub async fn user(&self, id_or_upn: &str) -> Result<GraphUser, GraphError> {
        self.get(&format!(
            "/users/{}?$select=id,displayName,mail,userPrincipalName,jobTitle",
            encode(id_or_upn)
        ))
        .await
    }

    pub async fn my_chats(&self, limit: usize) -> Result<Vec<GraphChat>, GraphError> {
        self.all("/me/chats?$expand=members&$top=50", &[], limit)
            .await
    }

    /// The one-on-one chat with a person (Graph returns the existing one if there is one).
    pub async fn one_on_one_chat(&self, me: &str, other: &str) -> Result<GraphChat, GraphError> {
        let member = |id: &str| {
            serde_json::json!({
                "@odata.type": "#microsoft.graph.aadUserConversationMember",
                "roles": ["owner"],
                "user@odata.bind": format!("https://graph.microsoft.com/v1.0/users('{id}')"),
            })
        };
        let body =
            serde_json::json!({ "chatType": "oneOnOne", "members": [member(me), member(other)] });
        self.call(Method::POST, &self.url("/chats")?, Some(&body), &[])
            .await
    }

    /// A new group chat with these people (the signed-in person included).
    pub async fn group_chat(
        &self,
        members: &[String],
        topic: Option<&str>,
    ) -> Result<GraphChat, GraphError> {
        let members: Vec<serde_json::Value> = members
            .iter()
            .map(|id| {
                serde_json::json!({
                    "@odata.type": "#microsoft.graph.aadUserConversationMember",
                    "roles": ["owner"],
                    "user@odata.bind": format!("https://graph.microsoft.com/v1.0/users('{id}')"),
                })
            })
            .collect();
        let mut body = serde_json::json!({ "chatType": "group", "members": members });
        if let Some(topic) = topic {
            body["topic"] = serde_json::json!(topic);
        }
        self.call(Method::POST, &self.url("/chats")?, Some(&body), &[])
            .await
    }

    pub async fn post_to_chat(
        &self,
        chat_id: &str,
        message: &serde_json::Value,
    ) -> Result<PostedMessage, GraphError> {
        let url = self.url(&format!("/chats/{}/messages", encode(chat_id)))?;
        self.call(Method::POST, &url, Some(message), &[]).await
    }

    pub async fn post_to_channel(
        &self,
        team_id: &str,
        channel_id: &str,
        message: &serde_json::Value,
    ) -> Result<PostedMessage, GraphError> {
        let url = self.url(&format!(
            "/teams/{}/channels/{}/messages",
            encode(team_id),
            encode(channel_id)
        ))?;
        self.call(Method::POST, &url, Some(message), &[]).await
    }

    /// A reply in a channel message's thread; the reply's `replyToId` is the root.
    /// <https://learn.microsoft.com/graph/api/chatmessage-post-replies>
    pub async fn reply_in_channel(
        &self,
        team_id: &str,
        channel_id: &str,
        root_id: &str,
        message: &serde_json::Value,
    ) -> Result<PostedMessage, GraphError> {
        let url = self.url(&format!(
            "/teams/{}/channels/{}/messages/{}/replies",
            encode(team_id),
            encode(channel_id),
            encode(root_id)
        ))?;
        self.call(Method::POST, &url, Some(message), &[]).await
    }

    /// Replaces a chat message's body and attachments (only its sender may; Teams sets
    /// `lastEditedDateTime`). Global service only.
    /// <https://learn.microsoft.com/graph/api/chatmessage-update>
    pub async fn update_chat_message(
        &self,
        chat_id: &str,
        message_id: &str,
        message: &serde_json::Value,
    ) -> Result<(), GraphError> {
        let url = self.url(&format!(
            "/chats/{}/messages/{}",
            encode(chat_id),
            encode(message_id)
        ))?;
        self.call::<serde_json::Value>(Method::PATCH, &url, Some(message), &[])
            .await
            .map(|_| ())
    }

    /// A channel message with its replies (needs `ChannelMessage.Read.All`), to read answers.
    /// <https://learn.microsoft.com/graph/api/chatmessage-get>
    pub async fn channel_thread(
        &self,
        team_id: &str,
        channel_id: &str,
        root_id: &str,
    ) -> Result<serde_json::Value, GraphError> {
        self.get(&format!(
            "/teams/{}/channels/{}/messages/{}?$expand=replies",
            encode(team_id),
            encode(channel_id),
            encode(root_id)
        ))
        .await
    }

    /// The latest messages of a chat (to find out whether a send that was cut off arrived).
    pub async fn recent_chat_messages(
        &self,
        chat_id: &str,
    ) -> Result<Vec<serde_json::Value>, GraphError> {
        Ok(self
            .get::<Collection<serde_json::Value>>(&format!(
                "/chats/{}/messages?$top=50",
                encode(chat_id)
            ))
            .await?
            .value)
    }

    pub async fn service_principals_of(
        &self,
        app_id: &str,
    ) -> Result<Vec<ServicePrincipal>, GraphError> {
        let filter = encode(&format!("appId eq '{app_id}'"));
        Ok(self
            .get::<Collection<ServicePrincipal>>(&format!("/servicePrincipals?$filter={filter}"))
            .await?
            .value)
    }

    pub async fn permission_grants_of(
        &self,
        service_principal_id: &str,
    ) -> Result<Vec<PermissionGrant>, GraphError> {
        let filter = encode(&format!("clientId eq '{service_principal_id}'"));
        Ok(self
            .get::<Collection<PermissionGrant>>(&format!(
                "/oauth2PermissionGrants?$filter={filter}"
            ))
            .await?
            .value)
    }

    pub async fn user_name(&self, id: &str) -> Result<String, GraphError> {
        let user = self.user(id).await?;
        Ok(user
            .display_name
            .or(user.user_principal_name)
            .unwrap_or_else(|| id.to_string()))
    }
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn a_next_page_on_another_server_is_not_followed_and_the_token_stays_home() {
        let elsewhere_calls = Arc::new(AtomicU32::new(0));
        let counter = elsewhere_calls.clone();
        let elsewhere = serve(Router::new().route(
            "/v1.0/teams",
            get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { axum::Json(serde_json::json!({ "value": [] })) }
            }),
        ))
        .await;
        let next = format!("{elsewhere}/v1.0/teams?$skiptoken=2");
        let home = serve(Router::new().route(
            "/v1.0/teams",
            get(move || {
                let next = next.clone();
                async move {
                    axum::Json(serde_json::json!({
                        "value": [{ "id": "t1", "displayName": "Security Operations" }],
                        "@odata.nextLink": next,
                    }))
                }
            }),
        ))
        .await;
        let clock = Arc::new(crate::clock::ManualClock::new(chrono::Utc::now()));
        let graph = Graph {
            http: HttpClient::new(
                &Default::default(),
                Default::default(),
                clock,
                Arc::new(crate::entropy::SeededEntropy::new(1)),
            )
            .unwrap(),
            base: home,
            token: Secret::new("a-token"),
        };
        let error = graph.all_teams(10_000).await.unwrap_err();
        assert!(error.to_string().contains("another server"), "{error}");
        assert_eq!(elsewhere_calls.load(Ordering::SeqCst), 0);
    }
}
