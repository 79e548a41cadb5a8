//! Living messages: editing a chat message in place, and reading a channel message back with
//! its replies and reactions.
//! <https://learn.microsoft.com/en-us/graph/api/chatmessage-update?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/chatmessage-get?view=graph-rest-1.0>.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::chats::chat_access;
use super::messages::validate_message;
use super::teams::find_channel;
use super::{Params, authenticate, context, graph_error, require, spend};
use crate::Shared;
use crate::throttle;
use crate::world::Audience;

/// `PATCH /chats/{chat}/messages/{id}`: only the sender may edit; a deleted or unknown message
/// is 404. Teams keeps the id and sets `lastEditedDateTime`; the answer is 204.
pub async fn update_chat_message(
    State(shared): State<Shared>,
    Path((chat_id, message_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(&mut world, &caller, &["Chat.ReadWrite"], &[]));
    try_or_respond!(chat_access(&mut world, &caller, &chat_id));
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
    let my_id = world.tenant.users[me].id.clone();
    let now = world
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let found = world
        .messages
        .get_mut(&format!("chat:{chat_id}"))
        .and_then(|m| m.iter_mut().find(|m| m.id == message_id))
        .filter(|m| m.message["deletedDateTime"].is_null());
    let Some(stored) = found else {
        return graph_error(
            &mut world,
            StatusCode::NOT_FOUND,
            "NotFound",
            "Resource not found: the message does not exist or was deleted.",
        );
    };
    if stored.message["from"]["user"]["id"].as_str() != Some(my_id.as_str()) {
        return graph_error(
            &mut world,
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Only the sender of a message can update it.",
        );
    }
    stored.message["body"] = json!({
        "contentType": request["body"]["contentType"].as_str().unwrap_or("text").to_lowercase(),
        "content": request["body"]["content"],
    });
    if let Some(attachments) = request["attachments"].as_array() {
        stored.message["attachments"] = json!(attachments);
    }
    stored.message["lastEditedDateTime"] = json!(now);
    stored.message["lastModifiedDateTime"] = json!(now);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /teams/{t}/channels/{c}/messages/{id}` (`$expand=replies` adds the thread).
pub async fn get_channel_message(
    State(shared): State<Shared>,
    Path((team_id, channel_id, message_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["ChannelMessage.Read.All"],
        &["ChannelMessage.Read.All"]
    ));
    try_or_respond!(spend(&mut world, &caller, 1, &[]));
    let (t, c) = try_or_respond!(find_channel(&mut world, &caller, &team_id, &channel_id));
    let thread = format!(
        "channel:{}/{}",
        world.tenant.teams[t].id, world.tenant.teams[t].channels[c].id
    );
    let messages: Vec<Value> = world
        .messages
        .get(&thread)
        .map(|m| m.iter().map(|m| m.message.clone()).collect())
        .unwrap_or_default();
    let Some(mut root) = messages
        .iter()
        .find(|m| m["id"] == message_id.as_str() && m["replyToId"].is_null())
        .cloned()
    else {
        return graph_error(
            &mut world,
            StatusCode::NOT_FOUND,
            "NotFound",
            "Resource not found: no such message in the channel.",
        );
    };
    let expand = params
        .0
        .iter()
        .any(|(k, v)| k == "$expand" && v.split(',').any(|p| p.trim() == "replies"));
    if expand {
        root["replies"] = json!(
            messages
                .iter()
                .filter(|m| m["replyToId"] == message_id.as_str())
                .cloned()
                .collect::<Vec<_>>()
        );
        root["replies@odata.context"] = json!(context(
            &world,
            &format!(
                "teams('{team_id}')/channels('{channel_id}')/messages('{message_id}')/replies"
            )
        ));
    }
    root["@odata.context"] = json!(context(
        &world,
        &format!("teams('{team_id}')/channels('{channel_id}')/messages/$entity")
    ));
    Json(root).into_response()
}
