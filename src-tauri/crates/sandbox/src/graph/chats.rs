//! Chats: create one (a one-on-one chat per pair, or a group chat), list the caller's chats and
//! read one. Only members see a chat.
//! <https://learn.microsoft.com/en-us/graph/api/chat-post?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/chat-list?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/chat-get?view=graph-rest-1.0>.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{
    Caller, Params, Resource, authenticate, collection, context, decode_skiptoken,
    encode_skiptoken, find_or_404, find_visible, graph_error, param, require, spend,
};
use crate::Shared;
use crate::tenant::{ChatType, Tenant};
use crate::throttle;
use crate::world::{Audience, World};

fn chat_json(world: &World, chat: usize, expand_members: bool) -> Value {
    let c = &world.tenant.chats[chat];
    let mut value = json!({
        "id": c.id,
        "topic": c.topic,
        "createdDateTime": "2026-01-10T10:00:00Z",
        "lastUpdatedDateTime": "2026-01-10T10:00:00Z",
        "chatType": c.chat_type.as_str(),
        "webUrl": format!("{}/_sandbox/#{}", world.base_url, c.id),
        "tenantId": world.tenant.id,
        "isHiddenForAllMembers": false,
    });
    if expand_members {
        value["members"] = Value::Array(
            c.members
                .iter()
                .map(|&m| member_json(&world.tenant, m))
                .collect(),
        );
    }
    value
}

fn member_json(tenant: &Tenant, u: usize) -> Value {
    let user = &tenant.users[u];
    json!({
        "@odata.type": "#microsoft.graph.aadUserConversationMember",
        "id": format!("MCMj{}", user.id.replace('-', "")),
        "roles": ["owner"],
        "displayName": user.display_name,
        "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z",
        "userId": user.id,
        "email": user.upn,
        "tenantId": tenant.id,
    })
}

fn user_from_bind(tenant: &Tenant, bind: &str) -> Option<usize> {
    let key = bind.rsplit_once("/users('")?.1.strip_suffix("')")?;
    tenant.find_user(key)
}

pub async fn create_chat(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["Chat.Create", "Chat.ReadWrite"],
        &["Chat.Create"]
    ));
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[("teams-other", throttle::TEAMS_OTHER)]
    ));
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        );
    };
    let chat_type = match request["chatType"].as_str() {
        Some("oneOnOne") => ChatType::OneOnOne,
        Some("group") => ChatType::Group,
        _ => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "chatType must be 'oneOnOne' or 'group'.",
            );
        }
    };
    let members = request["members"].as_array().cloned().unwrap_or_default();
    let mut ids = Vec::new();
    for member in &members {
        if member["@odata.type"] != "#microsoft.graph.aadUserConversationMember" {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Each member needs \"@odata.type\": \"#microsoft.graph.aadUserConversationMember\".",
            );
        }
        let roles_ok = member["roles"]
            .as_array()
            .is_some_and(|r| r.iter().all(|x| x == "owner" || x == "guest") && !r.is_empty());
        if !roles_ok {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Each member needs the role 'owner' or 'guest'.",
            );
        }
        let bind = member["user@odata.bind"].as_str().unwrap_or_default();
        let u = try_or_respond!(find_or_404(&mut world, Resource::BoundUser(bind), |w| {
            user_from_bind(&w.tenant, bind)
        }));
        if !ids.contains(&u) {
            ids.push(u);
        }
    }
    if let Some(me) = caller.user()
        && !ids.contains(&me)
    {
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The signed-in user must be a member of the chat.",
        );
    }
    match chat_type {
        ChatType::OneOnOne if ids.len() != 2 => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "A oneOnOne chat has exactly two members.",
            );
        }
        ChatType::OneOnOne if request.get("topic").is_some_and(|t| !t.is_null()) => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "A oneOnOne chat cannot have a topic.",
            );
        }
        ChatType::Group if !(2..=250).contains(&ids.len()) => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "A group chat has between 2 and 250 members.",
            );
        }
        _ => {}
    }
    // One-on-one chats are unique per pair: Graph returns the existing one (see chat-post above).
    if chat_type == ChatType::OneOnOne
        && let Some(existing) = world.tenant.chats.iter().position(|c| {
            c.chat_type == ChatType::OneOnOne && ids.iter().all(|u| c.members.contains(u))
        })
    {
        return (
            StatusCode::CREATED,
            Json(chat_json(&world, existing, false)),
        )
            .into_response();
    }
    let id = match chat_type {
        ChatType::OneOnOne => {
            let mut pair = [
                world.tenant.users[ids[0]].id.clone(),
                world.tenant.users[ids[1]].id.clone(),
            ];
            pair.sort();
            format!("19:{}_{}@unq.gbl.spaces", pair[0], pair[1])
        }
        ChatType::Group => format!(
            "19:{}@thread.v2",
            world.token("", 16).to_lowercase().replace(['-', '_'], "0")
        ),
    };
    world.tenant.chats.push(crate::tenant::Chat {
        id,
        chat_type,
        topic: request["topic"].as_str().map(str::to_string),
        members: ids,
    });
    let index = world.tenant.chats.len() - 1;
    (StatusCode::CREATED, Json(chat_json(&world, index, false))).into_response()
}

pub async fn my_chats(
    State(shared): State<Shared>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"],
        &[]
    ));
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[("teams-get", throttle::TEAMS_GET)]
    ));
    let Some(me) = caller.user() else {
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        );
    };
    let top: usize = match param(&params, "$top").map(str::parse) {
        None => 50,
        Some(Ok(n @ 1..=50)) => n,
        Some(_) => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "$top for chats must be between 1 and 50.",
            );
        }
    };
    let expand = param(&params, "$expand") == Some("members");
    let start = param(&params, "$skiptoken")
        .and_then(decode_skiptoken)
        .unwrap_or(0);
    let mine: Vec<usize> = (0..world.tenant.chats.len())
        .rev()
        .filter(|&c| world.tenant.chats[c].members.contains(&me))
        .collect();
    let page: Vec<Value> = mine
        .iter()
        .skip(start)
        .take(top)
        .map(|&c| chat_json(&world, c, expand))
        .collect();
    let next = (start + top < mine.len()).then(|| {
        format!(
            "{}/v1.0/me/chats?$top={top}{}&$skiptoken={}",
            world.base_url,
            if expand { "&$expand=members" } else { "" },
            encode_skiptoken(start + top)
        )
    });
    Json(collection(&context(&world, "chats"), page, next)).into_response()
}

/// The chat, if it exists and the caller may see it: an app, or one of its members.
pub(super) fn chat_access(
    world: &mut World,
    caller: &Caller,
    chat_id: &str,
) -> Result<usize, Response> {
    find_visible(
        world,
        Resource::Chat(chat_id),
        |w| w.tenant.chats.iter().position(|c| c.id == chat_id),
        |w, c| caller.is_among(&w.tenant.chats[c].members),
    )
}

pub async fn chat(
    State(shared): State<Shared>,
    Path(chat_id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"],
        &["Chat.ReadBasic.All", "Chat.Read.All"]
    ));
    let c = try_or_respond!(chat_access(&mut world, &caller, &chat_id));
    Json(chat_json(
        &world,
        c,
        param(&params, "$expand") == Some("members"),
    ))
    .into_response()
}
