//! `/_sandbox/`: health, the tenant, what every conversation received, the request log, fault
//! injection (fail the next calls, add latency, revoke a grant, delete a channel, remove a
//! user, uninstall the app), and a page for people that shows the messages as Teams would.

use std::collections::HashSet;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Shared;
use crate::world::{Fault, World};

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[derive(Deserialize)]
pub struct TenantQuery {
    /// At most this many people (the large tenant has 100,000).
    limit: Option<usize>,
}

pub async fn tenant(State(shared): State<Shared>, Query(q): Query<TenantQuery>) -> Json<Value> {
    let world = shared.lock().await;
    let t = &world.tenant;
    let upn = |u: &usize| t.users[*u].upn.clone();
    let users: Vec<Value> = t
        .users
        .iter()
        .filter(|u| !u.removed)
        .take(q.limit.unwrap_or(usize::MAX))
        .map(|u| json!({ "id": u.id, "upn": u.upn, "displayName": u.display_name, "jobTitle": u.job_title, "admin": u.admin }))
        .collect();
    let teams: Vec<Value> = t
        .teams
        .iter()
        .map(|team| {
            json!({
                "id": team.id,
                "displayName": team.display_name,
                "members": team.members.iter().map(upn).collect::<Vec<_>>(),
                "channels": team.channels.iter().filter(|c| !c.deleted).map(|c| json!({
                    "id": c.id,
                    "displayName": c.display_name,
                    "membershipType": c.membership.as_str(),
                    "members": c.members.iter().map(upn).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let chats: Vec<Value> = t
        .chats
        .iter()
        .map(|c| json!({ "id": c.id, "chatType": c.chat_type.as_str(), "topic": c.topic, "members": c.members.iter().map(upn).collect::<Vec<_>>() }))
        .collect();
    Json(json!({
        "id": t.id,
        "name": t.name,
        "domain": t.domain,
        "userCount": t.users.iter().filter(|u| !u.removed).count(),
        "users": users,
        "teams": teams,
        "chats": chats,
        "bot": {
            "appId": t.bot.app_id,
            "name": t.bot.name,
            "catalogId": t.bot.catalog_id,
            "installedFor": t.bot.installed_for_users.iter().map(upn).collect::<Vec<_>>(),
            "installedInTeams": t.bot.installed_in_teams.iter().map(|i| t.teams[*i].id.clone()).collect::<Vec<_>>(),
        },
    }))
}

/// Every conversation that received something, with its messages in order.
pub async fn messages(State(shared): State<Shared>) -> Json<Value> {
    let world = shared.lock().await;
    Json(messages_json(&world))
}

pub fn messages_json(world: &World) -> Value {
    let t = &world.tenant;
    let mut chats = Vec::new();
    for chat in &t.chats {
        if let Some(list) = world.messages.get(&format!("chat:{}", chat.id)) {
            chats.push(json!({
                "id": chat.id,
                "chatType": chat.chat_type.as_str(),
                "topic": chat.topic,
                "members": chat.members.iter().map(|u| t.users[*u].upn.clone()).collect::<Vec<_>>(),
                "messages": list,
            }));
        }
    }
    let mut channels = Vec::new();
    for team in &t.teams {
        for channel in &team.channels {
            if let Some(list) = world
                .messages
                .get(&format!("channel:{}/{}", team.id, channel.id))
            {
                channels.push(json!({
                    "teamId": team.id,
                    "teamName": team.display_name,
                    "channelId": channel.id,
                    "channelName": channel.display_name,
                    "membershipType": channel.membership.as_str(),
                    "deleted": channel.deleted,
                    "messages": list,
                }));
            }
        }
    }
    let mut personal = Vec::new();
    let mut seen = HashSet::new();
    for (id, conversation) in &world.bot_conversations {
        if let (Some(user), Some(list)) =
            (conversation.user, world.messages.get(&conversation.thread))
            && seen.insert(conversation.thread.clone())
        {
            personal
                .push(json!({ "conversationId": id, "user": t.users[user].upn, "messages": list }));
        }
    }
    personal.sort_by(|a, b| a["user"].as_str().cmp(&b["user"].as_str()));
    json!({ "chats": chats, "channels": channels, "bot": personal })
}

pub async fn requests(State(shared): State<Shared>) -> Json<Value> {
    let world = shared.lock().await;
    Json(json!({ "requests": world.log }))
}

pub async fn clear_requests(State(shared): State<Shared>) -> StatusCode {
    shared.lock().await.log.clear();
    StatusCode::NO_CONTENT
}

pub async fn add_fault(State(shared): State<Shared>, Json(fault): Json<Fault>) -> StatusCode {
    shared.lock().await.faults.push(fault);
    StatusCode::NO_CONTENT
}

pub async fn faults(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({ "faults": shared.lock().await.faults }))
}

pub async fn clear_faults(State(shared): State<Shared>) -> StatusCode {
    shared.lock().await.faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct Latency {
    ms: u64,
    /// Handle the call first, then wait: the reply arrives late (or never, if the client
    /// gives up), though the work is done.
    #[serde(default)]
    after: bool,
}

pub async fn latency(State(shared): State<Shared>, Json(body): Json<Latency>) -> StatusCode {
    let mut world = shared.lock().await;
    world.latency = Duration::from_millis(body.ms);
    world.latency_after = body.after;
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct Switch {
    enabled: bool,
}

pub async fn throttling(State(shared): State<Shared>, Json(body): Json<Switch>) -> StatusCode {
    shared.lock().await.throttle.set_enabled(body.enabled);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct Advance {
    seconds: i64,
}

/// Moves the sandbox's clock forward (codes and tokens expire, refresh tokens go stale).
pub async fn advance_clock(State(shared): State<Shared>, Json(body): Json<Advance>) -> Json<Value> {
    let mut world = shared.lock().await;
    world.clock_offset += chrono::Duration::seconds(body.seconds);
    Json(json!({ "now": world.now() }))
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": format!("no {what}") })),
    )
        .into_response()
}

/// `POST /_sandbox/users/{upn or id}/{action}`: revoke, remove, require-mfa, block,
/// uninstall-app, install-app.
pub async fn user_action(
    State(shared): State<Shared>,
    Path((key, action)): Path<(String, String)>,
) -> Response {
    let mut world = shared.lock().await;
    let Some(user) = world.tenant.find_user(&key) else {
        return not_found(&format!("user {key}"));
    };
    match action.as_str() {
        "revoke" => world.revoke_user(user),
        "remove" => {
            world.revoke_user(user);
            world.tenant.users[user].removed = true;
        }
        "require-mfa" => {
            world.mfa_required.insert(user);
        }
        "block" => {
            world.blocked_by_policy.insert(user);
        }
        "uninstall-app" => world.tenant.bot.installed_for_users.retain(|u| *u != user),
        "install-app" => {
            if !world.tenant.bot.installed_for_users.contains(&user) {
                world.tenant.bot.installed_for_users.push(user);
            }
        }
        _ => return not_found(&format!("action {action}")),
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /_sandbox/teams/{team id}/{uninstall-app|install-app}`.
pub async fn team_action(
    State(shared): State<Shared>,
    Path((team_id, action)): Path<(String, String)>,
) -> Response {
    let mut world = shared.lock().await;
    let Some(team) = world.tenant.teams.iter().position(|t| t.id == team_id) else {
        return not_found(&format!("team {team_id}"));
    };
    match action.as_str() {
        "uninstall-app" => world.tenant.bot.installed_in_teams.retain(|t| *t != team),
        "install-app" => {
            if !world.tenant.bot.installed_in_teams.contains(&team) {
                world.tenant.bot.installed_in_teams.push(team);
            }
        }
        _ => return not_found(&format!("action {action}")),
    }
    StatusCode::NO_CONTENT.into_response()
}

pub async fn delete_channel(
    State(shared): State<Shared>,
    Path((team_id, channel_id)): Path<(String, String)>,
) -> Response {
    let mut world = shared.lock().await;
    let channel = world
        .tenant
        .teams
        .iter_mut()
        .find(|t| t.id == team_id)
        .and_then(|t| t.channels.iter_mut().find(|c| c.id == channel_id));
    match channel {
        Some(channel) => {
            channel.deleted = true;
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found(&format!("channel {channel_id} in team {team_id}")),
    }
}

pub async fn asset(State(shared): State<Shared>, Path(name): Path<String>) -> Response {
    let json =
        |body: &'static str| ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    match name.as_str() {
        "hostconfig-teams-light.json" => {
            json(include_str!("../assets/hostconfig-teams-light.json"))
        }
        "hostconfig-teams-dark.json" => json(include_str!("../assets/hostconfig-teams-dark.json")),
        "adaptivecards.js" | "adaptivecards.css" => {
            let (file, kind) = if name.ends_with(".js") {
                ("adaptivecards.min.js", "text/javascript")
            } else {
                ("adaptivecards.css", "text/css")
            };
            let dir = shared.lock().await.assets_dir.clone();
            match dir
                .map(|d| d.join(file))
                .and_then(|p| std::fs::read(p).ok())
            {
                Some(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
                None => not_found(
                    "Adaptive Cards renderer (install the UI's npm dependencies or pass --assets)",
                ),
            }
        }
        _ => not_found(&format!("asset {name}")),
    }
}

pub async fn people_page(State(shared): State<Shared>) -> Html<String> {
    let world = shared.lock().await;
    Html(PAGE.replace("{{TENANT}}", &crate::identity::escape(&world.tenant.name)))
}

const PAGE: &str = include_str!("../assets/people.html");

/// A person's answer in Teams: who, and what.
#[derive(Deserialize)]
pub struct PersonSays {
    /// The person's UPN or id.
    pub user: String,
    /// The reaction (`like`, `heart`, or an emoji) or the reply's text.
    #[serde(default)]
    pub reaction: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

/// Where a message is kept: its conversation's key and its place in it.
fn locate(world: &World, message_id: &str) -> Option<(String, usize)> {
    world.messages.iter().find_map(|(thread, list)| {
        list.iter()
            .position(|m| m.id == message_id)
            .map(|i| (thread.clone(), i))
    })
}

/// The person who answers and where the message is, or the control's 404.
fn person_and_message(
    world: &World,
    says: &PersonSays,
    message_id: &str,
) -> Result<(usize, String, usize), Response> {
    let user = world
        .tenant
        .find_user(&says.user)
        .ok_or_else(|| not_found(&format!("user {}", says.user)))?;
    let (thread, index) =
        locate(world, message_id).ok_or_else(|| not_found(&format!("message {message_id}")))?;
    Ok((user, thread, index))
}

fn identity_of(world: &World, user: usize) -> Value {
    let person = &world.tenant.users[user];
    json!({
        "@odata.type": "#microsoft.graph.teamworkUserIdentity",
        "id": person.id,
        "displayName": person.display_name,
        "userIdentityType": "aadUser",
        "tenantId": world.tenant.id,
    })
}

/// `POST /_sandbox/messages/{id}/reactions` `{user, reaction}`: the person reacts. Graph leaves
/// the reacting user's `displayName` empty, as here.
pub async fn react(
    State(shared): State<Shared>,
    Path(message_id): Path<String>,
    Json(says): Json<PersonSays>,
) -> Response {
    let mut world = shared.lock().await;
    let (user, thread, index) = match person_and_message(&world, &says, &message_id) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let now = world
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let user_id = world.tenant.users[user].id.clone();
    let reaction = json!({
        "reactionType": says.reaction.unwrap_or_else(|| "like".into()),
        "displayName": null,
        "reactionContentUrl": null,
        "createdDateTime": now,
        "user": { "application": null, "device": null, "user": {
            "@odata.type": "#microsoft.graph.teamworkUserIdentity",
            "id": user_id, "displayName": null, "userIdentityType": "aadUser",
        } },
    });
    let message = &mut world.messages.get_mut(&thread).expect("located")[index].message;
    if let Some(list) = message["reactions"].as_array_mut() {
        list.push(reaction);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /_sandbox/messages/{id}/replies` `{user, text}`: the person answers — in a channel, a
/// reply in the message's thread; in a chat, a new message after it.
pub async fn answer(
    State(shared): State<Shared>,
    Path(message_id): Path<String>,
    Json(says): Json<PersonSays>,
) -> Response {
    let mut world = shared.lock().await;
    let (user, thread, index) = match person_and_message(&world, &says, &message_id) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id = world.message_id();
    let now = world
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let original = world.messages[&thread][index].message.clone();
    let in_channel = thread.starts_with("channel:");
    let text = says.text.unwrap_or_default();
    let mut message = json!({
        "id": id, "replyToId": if in_channel { json!(message_id) } else { Value::Null },
        "etag": id, "messageType": "message", "createdDateTime": now, "lastModifiedDateTime": now,
        "lastEditedDateTime": null, "deletedDateTime": null, "subject": null, "summary": null,
        "importance": "normal", "locale": "en-us",
        "webUrl": format!("{}/_sandbox/#m{id}", world.base_url),
        "from": { "user": identity_of(&world, user) },
        "body": { "contentType": "html", "content": format!("<p>{}</p>", html_escape(&text)) },
        "attachments": [], "mentions": [], "reactions": [],
    });
    for field in ["chatId", "channelIdentity"] {
        if !original[field].is_null() {
            message[field] = original[field].clone();
        }
    }
    let entry = crate::world::StoredMessage {
        id: id.clone(),
        reply_to: in_channel.then(|| message_id.clone()),
        via: "graph",
        sender: world.tenant.users[user].display_name.clone(),
        message,
    };
    world
        .messages
        .get_mut(&thread)
        .expect("located")
        .push(entry);
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

/// `DELETE /_sandbox/messages/{id}`: a person deletes the message in Teams (soft delete, as
/// Teams does: it stays with `deletedDateTime` set).
pub async fn delete_message(
    State(shared): State<Shared>,
    Path(message_id): Path<String>,
) -> Response {
    let mut world = shared.lock().await;
    let Some((thread, index)) = locate(&world, &message_id) else {
        return not_found(&format!("message {message_id}"));
    };
    let now = world
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    world.messages.get_mut(&thread).expect("located")[index].message["deletedDateTime"] =
        json!(now);
    StatusCode::NO_CONTENT.into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
