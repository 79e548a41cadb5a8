//! Microsoft Graph v1.0, the endpoints OX Teams Connector uses, each demanding its permission and
//! answering in Graph's shapes, errors included. One file per resource: people, teams and
//! channels, chats, messages, `$batch`, and the app's own records.
//!
//! Sources: the v1.0 reference of each endpoint under
//! <https://learn.microsoft.com/en-us/graph/api/overview?view=graph-rest-1.0>, the error shape
//! in <https://learn.microsoft.com/en-us/graph/errors>, the limits in
//! <https://learn.microsoft.com/en-us/graph/throttling-limits>, and paging in
//! <https://learn.microsoft.com/en-us/graph/paging>.

use std::collections::HashSet;

use axum::Json;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use crate::throttle::{self, Limit};
use crate::world::{Audience, Principal, World};

macro_rules! try_or_respond {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(response) => return response,
        }
    };
}

mod apps;
mod batch;
mod chats;
mod messages;
mod teams;
mod threads;
mod users;

pub use apps::{
    catalog_apps, permission_grants, service_principals, team_installed_apps, user_installed_apps,
};
pub use batch::batch;
pub use chats::{chat, create_chat, my_chats};
pub use messages::{
    MESSAGE_LIMIT_BYTES, list_chat_messages, post_channel_message, post_channel_reply,
    post_chat_message,
};
pub use teams::{all_teams, channel, channels, joined_teams, user_joined_teams};
pub use threads::{get_channel_message, update_chat_message};
pub use users::{me, user, user_json, users};

pub type Params = Query<Vec<(String, String)>>;

pub fn graph_error(world: &mut World, status: StatusCode, code: &str, message: &str) -> Response {
    let request_id = world.guid();
    let body = json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": world.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": request_id,
                "client-request-id": request_id,
            }
        }
    });
    (status, Json(body)).into_response()
}

fn throttled(world: &mut World, wait: std::time::Duration) -> Response {
    let seconds = throttle::retry_after_seconds(wait);
    let mut response = graph_error(
        world,
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Too many requests: the application or user is being throttled. Retry after the time in the Retry-After header.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, seconds.into());
    response
}

/// The authenticated caller of a Graph request.
pub struct Caller {
    pub principal: Principal,
    pub client_id: String,
    pub permissions: HashSet<String>,
}

impl Caller {
    fn user(&self) -> Option<usize> {
        match self.principal {
            Principal::User(u) => Some(u),
            Principal::App(_) => None,
        }
    }

    /// Whether the caller is one of `members` (user indices); an app's token sees everything.
    fn is_among(&self, members: &[usize]) -> bool {
        self.user().is_none_or(|u| members.contains(&u))
    }
}

pub fn authenticate(
    world: &mut World,
    headers: &HeaderMap,
    audience: Audience,
) -> Result<Caller, Response> {
    let unauthorized = |world: &mut World, message: &str| {
        let mut response = graph_error(
            world,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
        response
    };
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(unauthorized(world, "Access token is empty."));
    };
    let Some(grant) = world.access_tokens.get(token).cloned() else {
        return Err(unauthorized(
            world,
            "Access token validation failure. Invalid signature or format.",
        ));
    };
    if grant.audience != audience {
        return Err(unauthorized(
            world,
            "Access token validation failure. Invalid audience.",
        ));
    }
    if grant.revoked {
        return Err(unauthorized(
            world,
            "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
        ));
    }
    if world.now() >= grant.expires {
        return Err(unauthorized(
            world,
            "Lifetime validation failed, the token is expired.",
        ));
    }
    if let Principal::User(u) = grant.principal
        && world.tenant.users[u].removed
    {
        return Err(unauthorized(
            world,
            "The user account is disabled or has been deleted.",
        ));
    }
    Ok(Caller {
        principal: grant.principal,
        client_id: grant.client_id,
        permissions: grant.permissions,
    })
}

/// Demands one of `delegated` (for a user's token) or of `application` (for an app's token).
fn require(
    world: &mut World,
    caller: &Caller,
    delegated: &[&str],
    application: &[&str],
) -> Result<(), Response> {
    let (wanted, kind) = match caller.principal {
        Principal::User(_) => (delegated, "scope"),
        Principal::App(_) => (application, "role"),
    };
    if wanted.iter().any(|p| caller.permissions.contains(*p)) {
        return Ok(());
    }
    if wanted.is_empty() {
        return Err(graph_error(
            world,
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Message POST is allowed in application-only context only for import purposes.",
        ));
    }
    let mut have: Vec<&str> = caller.permissions.iter().map(String::as_str).collect();
    have.sort_unstable();
    let message = format!(
        "Missing {kind} permissions on the request. API requires one of '{}'. {}s on the request '{}'",
        wanted.join(", "),
        if kind == "scope" { "Scope" } else { "Role" },
        have.join(", ")
    );
    Err(graph_error(
        world,
        StatusCode::FORBIDDEN,
        "Forbidden",
        &message,
    ))
}

/// Spends throttle units for the caller's app; keys are `(name, limits)`.
fn spend(
    world: &mut World,
    caller: &Caller,
    cost: u32,
    keys: &[(&str, &[Limit])],
) -> Result<(), Response> {
    let keys: Vec<(String, &[Limit])> = keys
        .iter()
        .map(|(name, limits)| (format!("graph:{}:{name}", caller.client_id), *limits))
        .collect();
    match world.throttle.spend(std::time::Instant::now(), cost, &keys) {
        Ok(()) => Ok(()),
        Err(wait) => Err(throttled(world, wait)),
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn select(mut object: Value, params: &[(String, String)]) -> Value {
    if let (Some(fields), Value::Object(map)) = (param(params, "$select"), &mut object) {
        let keep: HashSet<&str> = fields.split(',').map(str::trim).collect();
        map.retain(|k, _| keep.contains(k.as_str()) || k.starts_with('@'));
    }
    object
}

// ---------------------------------------------------------------------------------------------
// Not found, or not yours

/// What a handler looks up by the id in its path or body. Each kind's 404, and its 403 when
/// only some callers may see it, is worded here once; [`find_visible`] answers with them.
#[derive(Debug, Clone, Copy)]
enum Resource<'a> {
    /// `GET /users/{id}`, in the directory's own words.
    DirectoryObject(&'a str),
    /// The person in `/users/{id}/joinedTeams`.
    User,
    /// The person in `/users/{id}/teamwork/installedApps`: only they may read their apps.
    UserApps,
    /// The person a new chat member's `user@odata.bind` names.
    BoundUser(&'a str),
    Team(&'a str),
    Channel {
        team_id: &'a str,
        channel_id: &'a str,
    },
    Chat(&'a str),
    /// The message a channel reply answers.
    ChannelMessage(&'a str),
}

impl Resource<'_> {
    /// Graph's error code and message when it does not exist.
    fn not_found(self) -> (&'static str, String) {
        match self {
            Resource::DirectoryObject(id) => (
                "Request_ResourceNotFound",
                format!(
                    "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
                ),
            ),
            Resource::User | Resource::UserApps => ("NotFound", "The user does not exist.".into()),
            Resource::BoundUser(bind) => (
                "NotFound",
                format!("The user in '{bind}' was not found in the directory."),
            ),
            Resource::Team(id) => ("NotFound", format!("No team found with Group Id {id}")),
            Resource::Channel {
                team_id,
                channel_id,
            } => (
                "NotFound",
                format!(
                    "Channel {channel_id} was not found in team {team_id}; it may have been deleted."
                ),
            ),
            Resource::Chat(id) => ("NotFound", format!("Chat {id} was not found.")),
            Resource::ChannelMessage(id) => (
                "NotFound",
                format!("Message {id} was not found in this channel."),
            ),
        }
    }

    /// Graph's message (code `Forbidden`) when the caller may not see it; `None` for what
    /// anyone allowed to call the endpoint may see.
    fn forbidden(self) -> Option<&'static str> {
        match self {
            Resource::Team(_) => Some("Forbidden: the user is not a member of this team."),
            Resource::Channel { .. } => {
                Some("Forbidden: the user is not a member of this private or shared channel.")
            }
            Resource::Chat(_) => Some("Forbidden: the user is not a member of this chat."),
            Resource::UserApps => {
                Some("A delegated caller may only read their own installed apps.")
            }
            Resource::DirectoryObject(_)
            | Resource::User
            | Resource::BoundUser(_)
            | Resource::ChannelMessage(_) => None,
        }
    }
}

/// Finds what `resource` names with `find`, or answers Graph's 404 for it; then, when only some
/// callers may see it and `may_see` says this caller may not, answers Graph's 403. Every
/// handler's "not found" and "not a member" come from here.
fn find_visible<T: Copy>(
    world: &mut World,
    resource: Resource<'_>,
    find: impl FnOnce(&World) -> Option<T>,
    may_see: impl FnOnce(&World, T) -> bool,
) -> Result<T, Response> {
    let Some(found) = find(world) else {
        let (code, message) = resource.not_found();
        return Err(graph_error(world, StatusCode::NOT_FOUND, code, &message));
    };
    match resource.forbidden() {
        Some(message) if !may_see(world, found) => Err(graph_error(
            world,
            StatusCode::FORBIDDEN,
            "Forbidden",
            message,
        )),
        _ => Ok(found),
    }
}

/// [`find_visible`] for what everyone allowed to call the endpoint may see.
fn find_or_404<T: Copy>(
    world: &mut World,
    resource: Resource<'_>,
    find: impl FnOnce(&World) -> Option<T>,
) -> Result<T, Response> {
    find_visible(world, resource, find, |_, _| true)
}

// ---------------------------------------------------------------------------------------------
// Collections and paging

fn collection(context: &str, values: Vec<Value>, next: Option<String>) -> Value {
    let mut body = json!({ "@odata.context": context, "value": values });
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(next);
    }
    body
}

fn context(world: &World, what: &str) -> String {
    format!("{}/v1.0/$metadata#{what}", world.base_url)
}

fn encode_skiptoken(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("X'44537074{offset:08x}'"))
}

fn decode_skiptoken(token: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let hex = text.strip_prefix("X'44537074")?.strip_suffix('\'')?;
    usize::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptokens_round_trip_and_reject_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(4200)), Some(4200));
        assert_eq!(decode_skiptoken("not-a-token"), None);
    }
}
