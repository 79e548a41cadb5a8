//! Messages: post to a chat, to a channel and as a reply in a channel thread, and list a chat's
//! messages. Every body is checked as Graph checks a chatMessage.
//! <https://learn.microsoft.com/en-us/graph/api/chat-post-messages?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/channel-post-messages?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/chatmessage-post-replies?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/chat-list-messages?view=graph-rest-1.0>.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::chats::chat_access;
use super::teams::find_channel;
use super::{
    Resource, authenticate, collection, context, find_or_404, graph_error, require, spend,
};
use crate::Shared;
use crate::throttle;
use crate::world::{Audience, StoredMessage, World};

/// Teams caps a chat or channel message at about 28 KB:
/// <https://learn.microsoft.com/en-us/microsoftteams/limits-specifications-teams>.
pub const MESSAGE_LIMIT_BYTES: usize = 28 * 1024;

/// Checks a chatMessage body the way Graph does and returns it as stored.
pub(super) fn validate_message(world: &mut World, body: &Bytes) -> Result<Value, Response> {
    let Ok(message) = serde_json::from_slice::<Value>(body) else {
        return Err(graph_error(
            world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        ));
    };
    let content = message["body"]["content"].as_str();
    let Some(content) = content else {
        return Err(graph_error(
            world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Missing body content: a chatMessage needs body.content.",
        ));
    };
    let content_type = message["body"]["contentType"]
        .as_str()
        .unwrap_or("text")
        .to_lowercase();
    if content_type != "text" && content_type != "html" {
        return Err(graph_error(
            world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "body.contentType must be 'text' or 'html'.",
        ));
    }
    if let Some(importance) = message["importance"].as_str()
        && !["normal", "high", "urgent"].contains(&importance)
    {
        return Err(graph_error(
            world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "importance must be 'normal', 'high' or 'urgent'.",
        ));
    }
    let attachments = message["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut size = content.len() + message["subject"].as_str().map_or(0, str::len);
    for attachment in &attachments {
        let id = attachment["id"].as_str().unwrap_or_default();
        if id.is_empty() {
            return Err(graph_error(
                world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Every attachment needs an id.",
            ));
        }
        if content_type != "html"
            || !content.contains(&format!("<attachment id=\"{id}\"></attachment>"))
        {
            let text = format!(
                "Attachment '{id}' is not referenced in the message body: an HTML body must contain <attachment id=\"{id}\"></attachment>."
            );
            return Err(graph_error(
                world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &text,
            ));
        }
        if attachment["contentType"] == "application/vnd.microsoft.card.adaptive" {
            let Some(card) = attachment["content"].as_str() else {
                return Err(graph_error(
                    world,
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "An Adaptive Card attachment's content must be the card serialised as a JSON string.",
                ));
            };
            let parsed: Option<Value> = serde_json::from_str(card).ok();
            if parsed.as_ref().and_then(|c| c["type"].as_str()) != Some("AdaptiveCard") {
                return Err(graph_error(
                    world,
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "The Adaptive Card attachment's content is not an AdaptiveCard.",
                ));
            }
            size += card.len();
        }
    }
    for mention in message["mentions"].as_array().cloned().unwrap_or_default() {
        let id = mention["id"].as_i64().unwrap_or(-1);
        if content_type != "html" || !content.contains(&format!("<at id=\"{id}\">")) {
            let text = format!("Mention {id} has no matching <at id=\"{id}\"> in the HTML body.");
            return Err(graph_error(
                world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &text,
            ));
        }
        if let Some(problem) = mention_problem(world, &mention, content) {
            return Err(graph_error(
                world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &problem,
            ));
        }
        size += mention["mentionText"].as_str().map_or(0, str::len);
    }
    if size > MESSAGE_LIMIT_BYTES {
        let text = format!(
            "The message is {size} bytes; Teams accepts at most {MESSAGE_LIMIT_BYTES} bytes of text, cards and mentions per message."
        );
        return Err(graph_error(
            world,
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            &text,
        ));
    }
    Ok(message)
}

/// What Graph would refuse in one mention: `<at id="N">` must enclose its `mentionText`
/// (HTML-escaped), and a user must exist, a channel or team be one of the tenant's
/// (`conversationIdentityType` `channel` or `team`).
/// <https://learn.microsoft.com/graph/api/resources/chatmessagemention>
fn mention_problem(world: &World, mention: &Value, content: &str) -> Option<String> {
    let id = mention["id"].as_i64().unwrap_or(-1);
    let text = mention["mentionText"].as_str().unwrap_or_default();
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    if !content.contains(&format!("<at id=\"{id}\">{escaped}</at>")) {
        return Some(format!(
            "Mention {id}'s mentionText '{text}' is not what <at id=\"{id}\"> encloses in the body."
        ));
    }
    let mentioned = &mention["mentioned"];
    if let Some(user_id) = mentioned["user"]["id"].as_str() {
        return world
            .tenant
            .find_user(user_id)
            .is_none()
            .then(|| format!("The mentioned user '{user_id}' was not found."));
    }
    let conversation = &mentioned["conversation"];
    let target = conversation["id"].as_str().unwrap_or_default();
    let known = match conversation["conversationIdentityType"].as_str() {
        Some("team") => world.tenant.teams.iter().any(|t| t.id == target),
        Some("channel") => world
            .tenant
            .teams
            .iter()
            .any(|t| t.channels.iter().any(|c| c.id == target)),
        _ => return Some(format!("Mention {id} names no user, team or channel.")),
    };
    (!known).then(|| format!("The mentioned team or channel '{target}' was not found."))
}

fn message_json(
    world: &mut World,
    request: &Value,
    sender: usize,
    reply_to: Option<&str>,
    place: Value,
) -> Value {
    let id = world.message_id();
    let now = world
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let user = &world.tenant.users[sender];
    let mut message = json!({
        "id": id,
        "replyToId": reply_to,
        "etag": id,
        "messageType": "message",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "lastEditedDateTime": null,
        "deletedDateTime": null,
        "subject": request["subject"],
        "summary": request["summary"],
        "importance": request["importance"].as_str().unwrap_or("normal"),
        "locale": "en-us",
        "webUrl": format!("{}/_sandbox/#m{id}", world.base_url),
        "from": {
            "user": {
                "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                "id": user.id,
                "displayName": user.display_name,
                "userIdentityType": "aadUser",
                "tenantId": world.tenant.id,
            }
        },
        "body": {
            "contentType": request["body"]["contentType"].as_str().unwrap_or("text").to_lowercase(),
            "content": request["body"]["content"],
        },
        "attachments": request["attachments"].as_array().cloned().unwrap_or_default().into_iter().map(|a| json!({
            "id": a["id"], "contentType": a["contentType"], "contentUrl": a["contentUrl"],
            "content": a["content"], "name": a["name"], "thumbnailUrl": a["thumbnailUrl"], "teamsAppId": null,
        })).collect::<Vec<_>>(),
        "mentions": request["mentions"].as_array().cloned().unwrap_or_default(),
        "reactions": [],
    });
    if let Value::Object(extra) = place {
        for (k, v) in extra {
            message[k] = v;
        }
    }
    message
}

fn store(world: &mut World, thread: String, sender: usize, message: &Value) {
    let entry = StoredMessage {
        id: message["id"].as_str().unwrap_or_default().to_string(),
        reply_to: message["replyToId"].as_str().map(str::to_string),
        via: "graph",
        sender: world.tenant.users[sender].display_name.clone(),
        message: message.clone(),
    };
    world.messages.entry(thread).or_default().push(entry);
}

pub async fn post_chat_message(
    State(shared): State<Shared>,
    Path(chat_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["ChatMessage.Send", "Chat.ReadWrite", "Group.ReadWrite.All"],
        &[]
    ));
    let c = try_or_respond!(chat_access(&mut world, &caller, &chat_id));
    let me = caller.user().expect("delegated");
    let thread_key = format!("chat:{chat_id}:{me}");
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[
            ("chat-post", throttle::CHAT_POST_TENANT),
            (&thread_key, throttle::POST_PER_THREAD)
        ]
    ));
    let request = try_or_respond!(validate_message(&mut world, &body));
    let chat_id = world.tenant.chats[c].id.clone();
    let message = message_json(&mut world, &request, me, None, json!({ "chatId": chat_id }));
    store(&mut world, format!("chat:{chat_id}"), me, &message);
    let mut response = message;
    response["@odata.context"] = json!(context(
        &world,
        &format!("chats('{chat_id}')/messages/$entity")
    ));
    (StatusCode::CREATED, Json(response)).into_response()
}

pub async fn post_channel_message(
    State(shared): State<Shared>,
    Path((team_id, channel_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_to_channel(shared, team_id, channel_id, None, headers, body).await
}

pub async fn post_channel_reply(
    State(shared): State<Shared>,
    Path((team_id, channel_id, message_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_to_channel(shared, team_id, channel_id, Some(message_id), headers, body).await
}

async fn post_to_channel(
    shared: Shared,
    team_id: String,
    channel_id: String,
    reply_to: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["ChannelMessage.Send", "Group.ReadWrite.All"],
        &[]
    ));
    let me = caller.user().expect("delegated");
    let thread_key = format!("channel:{channel_id}:{me}");
    let team_key = format!("team:{team_id}");
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[
            ("channel-post", throttle::CHANNEL_POST_TENANT),
            (&thread_key, throttle::POST_PER_THREAD),
            (&team_key, throttle::PER_TEAM),
        ]
    ));
    let (t, c) = try_or_respond!(find_channel(&mut world, &caller, &team_id, &channel_id));
    let thread = format!(
        "channel:{}/{}",
        world.tenant.teams[t].id, world.tenant.teams[t].channels[c].id
    );
    if let Some(root) = &reply_to {
        try_or_respond!(find_or_404(
            &mut world,
            Resource::ChannelMessage(root),
            |w| {
                let messages = w.messages.get(&thread)?;
                messages
                    .iter()
                    .any(|m| {
                        &m.id == root
                            && m.reply_to.is_none()
                            && m.message["deletedDateTime"].is_null()
                    })
                    .then_some(())
            }
        ));
    }
    let request = try_or_respond!(validate_message(&mut world, &body));
    let place = json!({ "channelIdentity": { "teamId": team_id, "channelId": channel_id } });
    let message = message_json(&mut world, &request, me, reply_to.as_deref(), place);
    store(&mut world, thread, me, &message);
    let mut response = message;
    response["@odata.context"] = json!(context(
        &world,
        &format!("teams('{team_id}')/channels('{channel_id}')/messages/$entity")
    ));
    (StatusCode::CREATED, Json(response)).into_response()
}

pub async fn list_chat_messages(
    State(shared): State<Shared>,
    Path(chat_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["Chat.Read", "Chat.ReadWrite"],
        &["Chat.Read.All"]
    ));
    try_or_respond!(chat_access(&mut world, &caller, &chat_id));
    let values: Vec<Value> = world
        .messages
        .get(&format!("chat:{chat_id}"))
        .map(|m| m.iter().rev().map(|m| m.message.clone()).collect())
        .unwrap_or_default();
    Json(collection(
        &context(&world, &format!("chats('{chat_id}')/messages")),
        values,
        None,
    ))
    .into_response()
}
