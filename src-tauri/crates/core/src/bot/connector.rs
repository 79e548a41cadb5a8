//! The Bot Connector v3 REST API, as much of it as a notification bot needs: start a personal
//! conversation, start a channel thread, send an activity. The token goes only to the
//! configured service URL. Source:
//! <https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>.

use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{HttpClient, HttpError};
use crate::secrets::Secret;

/// The Bot Connector under one service URL, with one token.
pub struct Connector {
    pub http: HttpClient,
    /// e.g. `https://smba.trafficmanager.net/teams`
    pub service_url: String,
    pub token: Secret,
}

/// What the Bot Connector answered, when it was not a success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectorError {
    /// 401: the token was refused; the caller renews it once and tries again.
    Unauthorized {
        message: String,
    },
    /// Any other refusal. `code` is the error code, or the Teams `subCode` when the body is
    /// Teams' `{"errorCode": 209, "message": "{\"subCode\": …}"}` shape.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    Decode(String),
    Http(HttpError),
}

/// Who the bot is, for `bot` in conversation parameters.
pub struct BotIdentity<'a> {
    pub app_id: &'a str,
    pub name: &'a str,
    pub tenant_id: &'a str,
}

impl Connector {
    async fn post(&self, path: &str, body: &Value) -> Result<Value, ConnectorError> {
        self.call(Method::POST, path, body).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Value, ConnectorError> {
        let url = url::Url::parse(&format!(
            "{}/{}",
            self.service_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        ))
        .map_err(|e| ConnectorError::Decode(format!("bad address: {e}")))?;
        let request = self
            .http
            .request(method, url)
            .bearer_auth(self.token.expose())
            .json(body)
            .build()
            .map_err(|e| ConnectorError::Http(HttpError::Client(e.to_string())))?;
        let response = self
            .http
            .send(request)
            .await
            .map_err(ConnectorError::Http)?;
        let status = response.status();
        if let Some(operation) = response.headers().get("X-Correlating-OperationId") {
            log::debug!("bot connector operation {operation:?}");
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ConnectorError::Decode(e.to_string()))?;
        if status.is_success() {
            // Some services (Microsoft's Agents Playground) answer 202 with no body at all.
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&bytes)
                .map_err(|e| ConnectorError::Decode(e.to_string()));
        }
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let (code, message) = read_error(&body, &bytes);
        Err(match status.as_u16() {
            401 => ConnectorError::Unauthorized { message },
            status => ConnectorError::Refused {
                status,
                code,
                message,
            },
        })
    }

    /// Starts (or finds again: Teams returns the same id) the bot's one-on-one conversation
    /// with a person, by their Entra object id. Returns the conversation id.
    pub async fn personal_conversation(
        &self,
        bot: &BotIdentity<'_>,
        user_id: &str,
    ) -> Result<String, ConnectorError> {
        let body = json!({
            "bot": { "id": format!("28:{}", bot.app_id), "name": bot.name },
            "members": [ { "id": user_id } ],
            "channelData": { "tenant": { "id": bot.tenant_id } },
            "tenantId": bot.tenant_id,
            "isGroup": false,
        });
        let answer = self.post("v3/conversations", &body).await?;
        answer["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ConnectorError::Decode("no conversation id in the answer".into()))
    }

    /// Posts `activity` as a new thread in a channel. Returns the thread's conversation id and
    /// the root message's id (when the service says).
    pub async fn channel_thread(
        &self,
        bot: &BotIdentity<'_>,
        team_id: &str,
        channel_id: &str,
        activity: &Value,
    ) -> Result<(String, Option<String>), ConnectorError> {
        let body = json!({
            "isGroup": true,
            "tenantId": bot.tenant_id,
            "bot": { "id": format!("28:{}", bot.app_id), "name": bot.name },
            "channelData": {
                "teamsTeamId": team_id,
                "teamsChannelId": channel_id,
                "team": { "id": team_id },
                "channel": { "id": channel_id },
                "tenant": { "id": bot.tenant_id },
            },
            "activity": activity,
        });
        let answer = self.post("v3/conversations", &body).await?;
        let id = answer["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ConnectorError::Decode("no conversation id in the answer".into()))?;
        Ok((id, answer["activityId"].as_str().map(str::to_string)))
    }

    /// Sends an activity into a conversation. Returns its id, when the service says.
    pub async fn send(
        &self,
        conversation_id: &str,
        activity: &Value,
    ) -> Result<Option<String>, ConnectorError> {
        let path = format!(
            "v3/conversations/{}/activities",
            percent_encoding::utf8_percent_encode(conversation_id, SEGMENT)
        );
        let answer = self.post(&path, activity).await?;
        Ok(answer["id"].as_str().map(str::to_string))
    }
}

impl Connector {
    /// Replaces an activity the bot sent (the card shows the finding's current state).
    /// <https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#update-activity>
    pub async fn update(
        &self,
        conversation_id: &str,
        activity_id: &str,
        activity: &Value,
    ) -> Result<(), ConnectorError> {
        let path = format!(
            "v3/conversations/{}/activities/{}",
            percent_encoding::utf8_percent_encode(conversation_id, SEGMENT),
            percent_encoding::utf8_percent_encode(activity_id, SEGMENT)
        );
        let mut activity = activity.clone();
        activity["id"] = Value::String(activity_id.to_string());
        self.call(Method::PUT, &path, &activity).await.map(|_| ())
    }
}

/// Characters escaped in a conversation id used as a path segment (`a:1…`, `19:…;messageid=…`
/// keep their `:`, as Teams writes them).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'/')
    .add(b'?')
    .add(b'#')
    .add(b'%')
    .add(b'"');

/// The error's code and sentence from either of the Bot Connector's two body shapes.
fn read_error(body: &Value, bytes: &[u8]) -> (String, String) {
    if let Some(error) = body.get("error") {
        return (
            error["code"].as_str().unwrap_or_default().to_string(),
            error["message"].as_str().unwrap_or_default().to_string(),
        );
    }
    if let Some(text) = body["message"].as_str() {
        // Teams nests JSON in `message`: {"errorCode":209,"message":"{\"subCode\":…}"}.
        if let Ok(inner) = serde_json::from_str::<Value>(text) {
            return (
                inner["subCode"]
                    .as_str()
                    .or(inner["code"].as_str())
                    .unwrap_or_default()
                    .to_string(),
                inner["message"].as_str().unwrap_or(text).to_string(),
            );
        }
        return (
            body["errorCode"].to_string().trim_matches('"').to_string(),
            text.to_string(),
        );
    }
    (
        String::new(),
        String::from_utf8_lossy(bytes).chars().take(200).collect(),
    )
}

/// The activity that carries a card.
pub fn card_activity(card: &Value, summary: &str) -> Value {
    json!({
        "type": "message",
        "summary": summary,
        "attachments": [ {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": card,
        } ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes_are_read() {
        let teams = json!({ "errorCode": 209, "message": "{\"subCode\":\"MessageWritesBlocked\",\"message\":\"The user blocked the bot.\"}" });
        assert_eq!(
            read_error(&teams, b""),
            (
                "MessageWritesBlocked".to_string(),
                "The user blocked the bot.".to_string()
            )
        );
        let plain = json!({ "error": { "code": "ConversationNotFound", "message": "Conversation not found." } });
        assert_eq!(read_error(&plain, b"").0, "ConversationNotFound");
        assert_eq!(read_error(&Value::Null, b"oops").1, "oops");
    }
}
