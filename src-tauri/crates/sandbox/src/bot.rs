//! The Bot Connector v3 as Teams runs it: the sandbox's root is the bot's service URL.
//! Create a conversation (personal or a new channel thread), send, reply and update activities.
//! Sources: <https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>
//! and, for Teams, <https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages>.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Shared;
use crate::throttle::{self, Limit};
use crate::world::{Audience, BotConversation, Principal, StoredMessage, World};

/// Teams accepts about 100 KB per bot message, counted in UTF-16.
pub const BOT_MESSAGE_LIMIT_BYTES: usize = 100 * 1024;

fn bot_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn throttled(wait: std::time::Duration) -> Response {
    let mut response = bot_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "The bot is sending too fast; retry after the time in Retry-After.",
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        throttle::retry_after_seconds(wait).into(),
    );
    response
}

fn authenticate(world: &World, headers: &HeaderMap) -> Result<(), Response> {
    let denied = || {
        bot_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Authorization has been denied for this request.",
        )
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(denied)?;
    let grant = world.access_tokens.get(token).ok_or_else(denied)?;
    let is_bot = grant.principal == Principal::App(world.tenant.bot.app_id.clone());
    if grant.audience != Audience::BotFramework
        || !is_bot
        || grant.revoked
        || world.now() >= grant.expires
    {
        return Err(denied());
    }
    Ok(())
}

fn spend(world: &mut World, thread: &str) -> Result<(), Response> {
    let app = world.tenant.bot.app_id.clone();
    let keys: Vec<(String, &[Limit])> = vec![
        (format!("bot:{app}"), throttle::BOT_TENANT),
        (format!("bot:{app}:{thread}"), throttle::BOT_PER_THREAD),
    ];
    world
        .throttle
        .spend(std::time::Instant::now(), 1, &keys)
        .map_err(throttled)
}

fn find_channel(world: &World, channel_id: &str) -> Option<(usize, usize)> {
    world.tenant.teams.iter().enumerate().find_map(|(t, team)| {
        team.channels
            .iter()
            .position(|c| c.id == channel_id)
            .map(|c| (t, c))
    })
}

macro_rules! try_or_respond {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(response) => return response,
        }
    };
}

pub async fn create_conversation(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock().await;
    try_or_respond!(authenticate(&world, &headers));
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadSyntax",
            "The request body is not valid JSON.",
        );
    };
    let tenant = request["channelData"]["tenant"]["id"]
        .as_str()
        .or(request["tenantId"].as_str())
        .unwrap_or_default();
    if tenant.is_empty() {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadArgument",
            "A tenant id is required (channelData.tenant.id) to start a conversation in Teams.",
        );
    }
    if tenant != world.tenant.id {
        return bot_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "The tenant is not the bot's tenant.",
        );
    }
    let bot_id = request["bot"]["id"].as_str().unwrap_or_default();
    let app_id = world.tenant.bot.app_id.clone();
    if bot_id != app_id && bot_id != format!("28:{app_id}") {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadArgument",
            "bot.id must be the bot's app id (28:<app id>).",
        );
    }
    if let Some(channel_id) = request["channelData"]["channel"]["id"].as_str() {
        return start_channel_thread(&mut world, channel_id, &request);
    }
    let members = request["members"].as_array().cloned().unwrap_or_default();
    if members.len() != 1 || request["isGroup"].as_bool() == Some(true) {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadArgument",
            "A proactive personal conversation has exactly one member; bots cannot start group chats.",
        );
    }
    let Some(member_id) = members[0]["id"].as_str() else {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadArgument",
            "members[0].id is required: put the user's Entra object id there, not only in aadObjectId.",
        );
    };
    let key = member_id.strip_prefix("29:").unwrap_or(member_id);
    let Some(user) = world.tenant.find_user(key) else {
        return bot_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The user was not found in the tenant.",
        );
    };
    if !world.tenant.bot.installed_for_users.contains(&user) {
        return bot_error(
            StatusCode::FORBIDDEN,
            "ForbiddenOperationException",
            "The bot is not installed in the user's personal scope.",
        );
    }
    let conversation_id = format!("a:1{}", world.tenant.users[user].id.replace('-', ""));
    try_or_respond!(spend(&mut world, &conversation_id));
    world
        .bot_conversations
        .entry(conversation_id.clone())
        .or_insert(BotConversation {
            thread: format!("bot:{conversation_id}"),
            user: Some(user),
            team: None,
        });
    let mut answer = json!({ "id": conversation_id, "serviceUrl": world.base_url });
    if request["activity"].is_object() {
        let id = try_or_respond!(store_activity(
            &mut world,
            &conversation_id,
            None,
            &request["activity"]
        ));
        answer["activityId"] = json!(id);
    }
    (StatusCode::CREATED, Json(answer)).into_response()
}

fn start_channel_thread(world: &mut World, channel_id: &str, request: &Value) -> Response {
    let Some((t, c)) = find_channel(world, channel_id) else {
        return bot_error(
            StatusCode::NOT_FOUND,
            "ConversationNotFound",
            "Conversation not found: no such channel.",
        );
    };
    if world.tenant.teams[t].channels[c].deleted {
        return bot_error(
            StatusCode::NOT_FOUND,
            "ConversationNotFound",
            "Conversation not found: the channel was deleted.",
        );
    }
    if !world.tenant.bot.installed_in_teams.contains(&t) {
        return bot_error(
            StatusCode::FORBIDDEN,
            "BotNotInConversationRoster",
            "The bot is not part of the conversation roster: install the app in the team.",
        );
    }
    if !request["activity"].is_object() {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadArgument",
            "Starting a channel conversation needs the first activity.",
        );
    }
    let channel_key = format!("channel:{}/{}", world.tenant.teams[t].id, channel_id);
    try_or_respond!(spend(world, &channel_key));
    // The thread's id is only known once the root post exists.
    let provisional = format!("{channel_id};messageid=pending");
    world.bot_conversations.insert(
        provisional.clone(),
        BotConversation {
            thread: channel_key.clone(),
            user: None,
            team: Some(t),
        },
    );
    let root = try_or_respond!(store_activity(
        world,
        &provisional,
        None,
        &request["activity"]
    ));
    world.bot_conversations.remove(&provisional);
    let conversation_id = format!("{channel_id};messageid={root}");
    world.bot_conversations.insert(
        conversation_id.clone(),
        BotConversation {
            thread: channel_key,
            user: None,
            team: Some(t),
        },
    );
    (
        StatusCode::CREATED,
        Json(json!({ "id": conversation_id, "activityId": root, "serviceUrl": world.base_url })),
    )
        .into_response()
}

/// A card's `msteams.entities` mention must name a person of the tenant, and its `text` must
/// appear in one of the card's TextBlocks, or Teams shows it as plain text.
/// <https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format>
fn card_mention_problem(world: &World, activity: &Value) -> Option<String> {
    for attachment in activity["attachments"].as_array().into_iter().flatten() {
        let card = &attachment["content"];
        let texts: Vec<&str> = card["body"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|block| block["text"].as_str())
            .collect();
        for entity in card["msteams"]["entities"].as_array().into_iter().flatten() {
            if entity["type"] != "mention" {
                continue;
            }
            let text = entity["text"].as_str().unwrap_or_default();
            if !texts.iter().any(|t| t.contains(text)) {
                return Some(format!(
                    "The mention '{text}' appears in no TextBlock of the card."
                ));
            }
            let id = entity["mentioned"]["id"].as_str().unwrap_or_default();
            if world.tenant.find_user(id).is_none() {
                return Some(format!("The mentioned user '{id}' was not found."));
            }
        }
    }
    None
}

/// Checks and keeps one activity; returns its id.
fn store_activity(
    world: &mut World,
    conversation_id: &str,
    reply_to: Option<&str>,
    activity: &Value,
) -> Result<String, Response> {
    if activity["type"].as_str().is_none_or(str::is_empty) {
        return Err(bot_error(
            StatusCode::BAD_REQUEST,
            "BadArgument",
            "Activity type is required.",
        ));
    }
    let size = activity["text"]
        .as_str()
        .map_or(0, |t| t.encode_utf16().count() * 2)
        + activity["attachments"].to_string().encode_utf16().count() * 2;
    if size > BOT_MESSAGE_LIMIT_BYTES {
        return Err(bot_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "MessageSizeTooBig",
            "Message size too big: Teams accepts about 100 KB per bot message.",
        ));
    }
    if let Some(problem) = card_mention_problem(world, activity) {
        return Err(bot_error(StatusCode::BAD_REQUEST, "BadArgument", &problem));
    }
    let conversation = world
        .bot_conversations
        .get(conversation_id)
        .cloned()
        .ok_or_else(|| {
            bot_error(
                StatusCode::NOT_FOUND,
                "ConversationNotFound",
                "Conversation not found.",
            )
        })?;
    if let Some(user) = conversation.user
        && (world.tenant.users[user].removed
            || !world.tenant.bot.installed_for_users.contains(&user))
    {
        let body = json!({ "errorCode": 209, "message": "{\"subCode\":\"MessageWritesBlocked\",\"message\":\"The user blocked or uninstalled the bot.\"}" });
        return Err((StatusCode::FORBIDDEN, Json(body)).into_response());
    }
    if let Some(team) = conversation.team {
        let channel_deleted = world.tenant.teams[team]
            .channels
            .iter()
            .any(|c| c.deleted && conversation.thread.ends_with(&c.id));
        if channel_deleted {
            return Err(bot_error(
                StatusCode::NOT_FOUND,
                "ConversationNotFound",
                "Conversation not found: the channel was deleted.",
            ));
        }
        if !world.tenant.bot.installed_in_teams.contains(&team) {
            return Err(bot_error(
                StatusCode::FORBIDDEN,
                "BotNotInConversationRoster",
                "The bot is not part of the conversation roster.",
            ));
        }
    }
    let id = world.message_id();
    let now = world
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let bot = world.tenant.bot.clone();
    let text = activity["text"].as_str().unwrap_or_default();
    let format = if activity["textFormat"] == "plain" {
        "text"
    } else {
        "html"
    };
    // Kept in Graph's chatMessage shape, so every conversation reads the same way.
    let message = json!({
        "id": id,
        "replyToId": reply_to,
        "messageType": "message",
        "createdDateTime": now,
        "importance": activity["importance"].as_str().unwrap_or("normal"),
        "summary": activity["summary"],
        "webUrl": format!("{}/_sandbox/#m{id}", world.base_url),
        "from": { "application": { "id": bot.app_id, "displayName": bot.name, "applicationIdentityType": "bot" } },
        "body": { "contentType": format, "content": text },
        "attachments": activity["attachments"].as_array().cloned().unwrap_or_default().into_iter().map(|a| json!({
            "id": null, "contentType": a["contentType"], "content": a["content"].to_string(), "contentUrl": a["contentUrl"], "name": a["name"],
        })).collect::<Vec<_>>(),
        "entities": activity["entities"],
        "channelData": activity["channelData"],
    });
    world
        .messages
        .entry(conversation.thread.clone())
        .or_default()
        .push(StoredMessage {
            id: id.clone(),
            reply_to: reply_to.map(str::to_string),
            via: "bot",
            sender: bot.name,
            message,
        });
    Ok(id)
}

pub async fn send_activity(
    State(shared): State<Shared>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    send(shared, conversation_id, None, headers, body).await
}

pub async fn reply_to_activity(
    State(shared): State<Shared>,
    Path((conversation_id, activity_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    send(shared, conversation_id, Some(activity_id), headers, body).await
}

async fn send(
    shared: Shared,
    conversation_id: String,
    reply_to: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock().await;
    try_or_respond!(authenticate(&world, &headers));
    let Ok(activity) = serde_json::from_slice::<Value>(&body) else {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadSyntax",
            "The request body is not valid JSON.",
        );
    };
    // `<channel>;messageid=<root>` replies in that thread.
    let reply_to = reply_to.or_else(|| {
        conversation_id
            .split_once(";messageid=")
            .map(|(_, root)| root.to_string())
    });
    let thread = world
        .bot_conversations
        .get(&conversation_id)
        .map(|c| c.thread.clone())
        .unwrap_or_default();
    try_or_respond!(spend(&mut world, &thread));
    let id = try_or_respond!(store_activity(
        &mut world,
        &conversation_id,
        reply_to.as_deref(),
        &activity
    ));
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

pub async fn update_activity(
    State(shared): State<Shared>,
    Path((conversation_id, activity_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock().await;
    try_or_respond!(authenticate(&world, &headers));
    let Ok(activity) = serde_json::from_slice::<Value>(&body) else {
        return bot_error(
            StatusCode::BAD_REQUEST,
            "BadSyntax",
            "The request body is not valid JSON.",
        );
    };
    let Some(conversation) = world.bot_conversations.get(&conversation_id).cloned() else {
        return bot_error(
            StatusCode::NOT_FOUND,
            "ConversationNotFound",
            "Conversation not found.",
        );
    };
    try_or_respond!(spend(&mut world, &conversation.thread));
    let now = world
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let Some(stored) = world
        .messages
        .get_mut(&conversation.thread)
        .and_then(|m| m.iter_mut().find(|m| m.id == activity_id))
    else {
        return bot_error(
            StatusCode::NOT_FOUND,
            "ActivityNotFound",
            "Activity not found.",
        );
    };
    stored.message["body"]["content"] = activity["text"].clone();
    stored.message["attachments"] = json!(activity["attachments"].as_array().cloned().unwrap_or_default().into_iter().map(|a| json!({
        "id": null, "contentType": a["contentType"], "content": a["content"].to_string(), "contentUrl": a["contentUrl"], "name": a["name"],
    })).collect::<Vec<_>>());
    stored.message["lastEditedDateTime"] = json!(now);
    (StatusCode::OK, Json(json!({ "id": activity_id }))).into_response()
}
