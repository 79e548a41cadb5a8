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
