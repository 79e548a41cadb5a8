//! Microsoft Graph v1.0, the endpoints OX Teams Connector uses, each demanding its permission and
//! answering in Graph's shapes, errors included. Sources: `microsoft-apis.md` §4–6.

use std::collections::HashSet;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::Shared;
use crate::tenant::{ChatType, Membership, Tenant};
use crate::throttle::{self, Limit};
use crate::world::{Audience, Principal, StoredMessage, World};

pub type Params = Query<Vec<(String, String)>>;

/// Teams caps a chat or channel message at about 28 KB.
pub const MESSAGE_LIMIT_BYTES: usize = 28 * 1024;
const GRAPH_SP_ID: &str = "0b6e2d4a-7f1c-4c2e-9f0a-6f1e5d4c3b2a";

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

macro_rules! try_or_respond {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(response) => return response,
        }
    };
}

// ---------------------------------------------------------------------------------------------
// JSON shapes

pub fn user_json(tenant: &Tenant, u: usize) -> Value {
    let user = &tenant.users[u];
    json!({
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": user.given_name,
        "jobTitle": user.job_title,
        "mail": user.upn,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": "en-US",
        "surname": user.surname,
        "userPrincipalName": user.upn,
        "id": user.id,
    })
}

fn team_json(tenant: &Tenant, t: usize) -> Value {
    let team = &tenant.teams[t];
    json!({
        "id": team.id,
        "displayName": team.display_name,
        "description": team.description,
        "isArchived": false,
        "tenantId": tenant.id,
    })
}

fn channel_json(world: &World, t: usize, c: usize) -> Value {
    let team = &world.tenant.teams[t];
    let channel = &team.channels[c];
    json!({
        "id": channel.id,
        "createdDateTime": "2026-01-05T09:00:00Z",
        "displayName": channel.display_name,
        "description": channel.description,
        "isFavoriteByDefault": null,
        "email": "",
        "tenantId": world.tenant.id,
        "webUrl": format!("{}/_sandbox/#{}", world.base_url, channel.id),
        "membershipType": channel.membership.as_str(),
        "isArchived": false,
    })
}

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

// ---------------------------------------------------------------------------------------------
// People and teams

pub async fn me(State(shared): State<Shared>, headers: HeaderMap, params: Params) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    let Some(u) = caller.user() else {
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        );
    };
    try_or_respond!(require(
        &mut world,
        &caller,
        &[
            "User.Read",
            "User.ReadBasic.All",
            "User.Read.All",
            "Directory.Read.All"
        ],
        &[]
    ));
    let mut body = select(user_json(&world.tenant, u), &params);
    body["@odata.context"] = json!(context(&world, "users/$entity"));
    Json(body).into_response()
}

pub async fn user(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"],
        &["User.Read.All", "Directory.Read.All"]
    ));
    let units = throttle::directory_units(world.tenant.users.len());
    try_or_respond!(spend(&mut world, &caller, 1, &[("directory", &units)]));
    let Some(u) = world.tenant.find_user(&id) else {
        let message = format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        );
        return graph_error(
            &mut world,
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &message,
        );
    };
    let mut body = select(user_json(&world.tenant, u), &params);
    body["@odata.context"] = json!(context(&world, "users/$entity"));
    Json(body).into_response()
}

pub async fn joined_teams(
    State(shared): State<Shared>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    joined_teams_of(shared, None, headers, params).await
}

pub async fn user_joined_teams(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    joined_teams_of(shared, Some(id), headers, params).await
}

async fn joined_teams_of(
    shared: Shared,
    id: Option<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &[
            "Team.ReadBasic.All",
            "TeamSettings.Read.All",
            "Directory.Read.All"
        ],
        &["Team.ReadBasic.All", "Directory.Read.All"]
    ));
    if params.iter().any(|(k, _)| k.starts_with('$')) {
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Query option is not supported: joinedTeams takes no OData query parameters.",
        );
    }
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[("teams-get", throttle::TEAMS_GET)]
    ));
    let who = match (id, caller.user()) {
        (Some(id), _) => world.tenant.find_user(&id),
        (None, Some(u)) => Some(u),
        (None, None) => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            );
        }
    };
    let Some(u) = who else {
        return graph_error(
            &mut world,
            StatusCode::NOT_FOUND,
            "NotFound",
            "The user does not exist.",
        );
    };
    let teams: Vec<Value> = (0..world.tenant.teams.len())
        .filter(|&t| world.tenant.teams[t].members.contains(&u))
        .map(|t| team_json(&world.tenant, t))
        .collect();
    let mut body = collection(&context(&world, "teams"), teams, None);
    body["@odata.count"] = json!(body["value"].as_array().map(Vec::len));
    Json(body).into_response()
}

/// `GET /teams`: every team in the organisation (Graph's "List teams"), paged.
pub async fn all_teams(
    State(shared): State<Shared>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["Team.ReadBasic.All", "Directory.Read.All"],
        &["Team.ReadBasic.All", "Directory.Read.All"]
    ));
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[("teams-get", throttle::TEAMS_GET)]
    ));
    let top = param(&params, "$top")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 999);
    let skip = param(&params, "$skiptoken")
        .and_then(decode_skiptoken)
        .unwrap_or(0);
    let total = world.tenant.teams.len();
    let teams: Vec<Value> = (skip..total.min(skip + top))
        .map(|t| team_json(&world.tenant, t))
        .collect();
    let next = (skip + top < total).then(|| {
        format!(
            "{}/v1.0/teams?$top={top}&$skiptoken={}",
            world.base_url.trim_end_matches('/'),
            encode_skiptoken(skip + top)
        )
    });
    Json(collection(&context(&world, "teams"), teams, next)).into_response()
}

fn find_team(world: &World, id: &str) -> Option<usize> {
    world.tenant.teams.iter().position(|t| t.id == id)
}

fn visible_channel(world: &World, t: usize, c: usize, caller: &Caller) -> bool {
    let channel = &world.tenant.teams[t].channels[c];
    if channel.deleted {
        return false;
    }
    match (channel.membership, caller.user()) {
        (Membership::Standard, _) | (_, None) => true,
        (_, Some(u)) => channel.members.contains(&u),
    }
}

fn team_access(world: &mut World, caller: &Caller, team_id: &str) -> Result<usize, Response> {
    let Some(t) = find_team(world, team_id) else {
        let message = format!("No team found with Group Id {team_id}");
        return Err(graph_error(
            world,
            StatusCode::NOT_FOUND,
            "NotFound",
            &message,
        ));
    };
    if let Some(u) = caller.user()
        && !world.tenant.teams[t].members.contains(&u)
    {
        return Err(graph_error(
            world,
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Forbidden: the user is not a member of this team.",
        ));
    }
    Ok(t)
}

pub async fn channels(
    State(shared): State<Shared>,
    Path(team_id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &[
            "Channel.ReadBasic.All",
            "ChannelSettings.Read.All",
            "Directory.Read.All"
        ],
        &[
            "Channel.ReadBasic.All",
            "ChannelSettings.Read.All",
            "Directory.Read.All"
        ]
    ));
    let team_key = format!("team:{team_id}");
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[
            ("channels-get", throttle::CHANNELS_GET),
            (&team_key, throttle::PER_TEAM)
        ]
    ));
    let t = try_or_respond!(team_access(&mut world, &caller, &team_id));
    let wanted = match param(&params, "$filter") {
        None => None,
        Some(filter) => match filter.trim().strip_prefix("membershipType eq ") {
            Some(value) => Some(value.trim_matches('\'').to_string()),
            None => {
                return graph_error(
                    &mut world,
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "Invalid filter clause: only membershipType eq '...' is supported.",
                );
            }
        },
    };
    // Shared channels are an "unknown enum member" unless the client opts in, as on Graph.
    let include_shared = headers
        .get("Prefer")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("include-unknown-enum-members"));
    let values: Vec<Value> = (0..world.tenant.teams[t].channels.len())
        .filter(|&c| visible_channel(&world, t, c, &caller))
        .filter(|&c| {
            let kind = world.tenant.teams[t].channels[c].membership;
            include_shared || kind != Membership::Shared
        })
        .filter(|&c| {
            wanted
                .as_deref()
                .is_none_or(|w| world.tenant.teams[t].channels[c].membership.as_str() == w)
        })
        .map(|c| select(channel_json(&world, t, c), &params))
        .collect();
    let body = collection(
        &context(&world, &format!("teams('{team_id}')/channels")),
        values,
        None,
    );
    Json(body).into_response()
}

fn find_channel(
    world: &mut World,
    caller: &Caller,
    team_id: &str,
    channel_id: &str,
) -> Result<(usize, usize), Response> {
    let t = team_access(world, caller, team_id)?;
    let found = world.tenant.teams[t]
        .channels
        .iter()
        .position(|c| c.id == channel_id);
    match found {
        Some(c) if visible_channel(world, t, c, caller) => Ok((t, c)),
        Some(c) if !world.tenant.teams[t].channels[c].deleted => Err(graph_error(
            world,
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Forbidden: the user is not a member of this private or shared channel.",
        )),
        _ => {
            let message = format!(
                "Channel {channel_id} was not found in team {team_id}; it may have been deleted."
            );
            Err(graph_error(
                world,
                StatusCode::NOT_FOUND,
                "NotFound",
                &message,
            ))
        }
    }
}

pub async fn channel(
    State(shared): State<Shared>,
    Path((team_id, channel_id)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &[
            "Channel.ReadBasic.All",
            "ChannelSettings.Read.All",
            "Directory.Read.All"
        ],
        &["Channel.ReadBasic.All", "Directory.Read.All"]
    ));
    let (t, c) = try_or_respond!(find_channel(&mut world, &caller, &team_id, &channel_id));
    Json(select(channel_json(&world, t, c), &params)).into_response()
}

// ---------------------------------------------------------------------------------------------
// Directory search

pub async fn users(State(shared): State<Shared>, headers: HeaderMap, params: Params) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"],
        &["User.Read.All", "Directory.Read.All"]
    ));
    let top: usize = match param(&params, "$top").map(str::parse) {
        None => 100,
        Some(Ok(n @ 1..=999)) => n,
        Some(_) => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "Invalid page size specified: $top must be between 1 and 999.",
            );
        }
    };
    // Resource units: GET users costs 2; $select saves one, a $top under 20 saves one.
    let mut cost = 2;
    if param(&params, "$select").is_some() {
        cost -= 1;
    }
    if top < 20 && cost > 1 {
        cost -= 1;
    }
    let units = throttle::directory_units(world.tenant.users.len());
    try_or_respond!(spend(&mut world, &caller, cost, &[("directory", &units)]));
    let eventual = headers
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    let search = param(&params, "$search").map(str::to_string);
    if search.is_some() && !eventual {
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        );
    }
    let search = match search.as_deref().map(parse_search) {
        None => None,
        Some(Ok(terms)) => Some(terms),
        Some(Err(message)) => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                &message,
            );
        }
    };
    let filter = match param(&params, "$filter").map(parse_filter) {
        None => None,
        Some(Ok(clauses)) => Some(clauses),
        Some(Err(message)) => {
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                &message,
            );
        }
    };
    let start = match param(&params, "$skiptoken") {
        None => 0,
        Some(token) => match decode_skiptoken(token) {
            Some(n) => n,
            None => {
                return graph_error(
                    &mut world,
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    "The $skiptoken is not valid.",
                );
            }
        },
    };
    let tenant = &world.tenant;
    let matching: Vec<usize> = (0..tenant.users.len())
        .filter(|&u| !tenant.users[u].removed)
        .filter(|&u| {
            search
                .as_ref()
                .is_none_or(|terms| search_matches(tenant, u, terms))
        })
        .filter(|&u| {
            filter
                .as_ref()
                .is_none_or(|clauses| filter_matches(tenant, u, clauses))
        })
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(top)
        .map(|&u| select(user_json(tenant, u), &params))
        .collect();
    let next = (start + top < matching.len()).then(|| {
        let mut url = url::Url::parse(&format!("{}/v1.0/users", world.base_url)).expect("base url");
        {
            let mut query = url.query_pairs_mut();
            for (k, v) in params.iter().filter(|(k, _)| k != "$skiptoken") {
                query.append_pair(k, v);
            }
            query.append_pair("$skiptoken", &encode_skiptoken(start + top));
        }
        url.to_string()
    });
    let mut body = collection(&context(&world, "users"), page, next);
    if eventual && param(&params, "$count") == Some("true") {
        body["@odata.count"] = json!(matching.len());
    }
    Json(body).into_response()
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

/// `"displayName:ann" OR "mail:ann"` → [(property, [tokens])]
fn parse_search(search: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut terms = Vec::new();
    for part in search.split(" OR ") {
        let inner = part.trim().strip_prefix('"').and_then(|p| p.strip_suffix('"')).ok_or_else(|| {
            format!("Syntax error: the $search value {search} must be quoted, like \"displayName:ann\".")
        })?;
        let (property, value) = inner
            .split_once(':')
            .ok_or_else(|| format!("Syntax error in $search: {inner}"))?;
        let property = property.trim();
        if ![
            "displayName",
            "mail",
            "userPrincipalName",
            "givenName",
            "surname",
            "jobTitle",
        ]
        .contains(&property)
        {
            return Err(format!("Unsupported property '{property}' in $search."));
        }
        let tokens: Vec<String> = tokenize(value).collect();
        terms.push((property.to_string(), tokens));
    }
    Ok(terms)
}

fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || matches!(c, '.' | '@' | '-' | '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

fn property(tenant: &Tenant, u: usize, name: &str) -> String {
    let user = &tenant.users[u];
    match name {
        "displayName" => user.display_name.clone(),
        "mail" | "userPrincipalName" => user.upn.clone(),
        "givenName" => user.given_name.clone(),
        "surname" => user.surname.clone(),
        "jobTitle" => user.job_title.clone(),
        "id" => user.id.clone(),
        _ => String::new(),
    }
}

/// Graph's $search matches the start of words.
fn search_matches(tenant: &Tenant, u: usize, terms: &[(String, Vec<String>)]) -> bool {
    terms.iter().any(|(name, tokens)| {
        let words: Vec<String> = tokenize(&property(tenant, u, name)).collect();
        tokens
            .iter()
            .all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
    })
}

enum Clause {
    StartsWith(String, String),
    Equals(String, String),
}

fn parse_filter(filter: &str) -> Result<Vec<Clause>, String> {
    let unsupported = || format!("Unsupported or invalid query filter clause specified: {filter}");
    filter
        .split(" or ")
        .map(|clause| {
            let clause = clause.trim();
            if let Some(inner) = clause
                .strip_prefix("startswith(")
                .and_then(|c| c.strip_suffix(')'))
            {
                let (name, value) = inner.split_once(',').ok_or_else(unsupported)?;
                let value = value
                    .trim()
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .ok_or_else(unsupported)?;
                return Ok(Clause::StartsWith(
                    name.trim().to_string(),
                    value.to_lowercase(),
                ));
            }
            let (name, value) = clause.split_once(" eq ").ok_or_else(unsupported)?;
            let value = value
                .trim()
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .ok_or_else(unsupported)?;
            if !["id", "userPrincipalName", "mail", "displayName"].contains(&name.trim()) {
                return Err(unsupported());
            }
            Ok(Clause::Equals(
                name.trim().to_string(),
                value.to_lowercase(),
            ))
        })
        .collect()
}

fn filter_matches(tenant: &Tenant, u: usize, clauses: &[Clause]) -> bool {
    clauses.iter().any(|clause| match clause {
        Clause::StartsWith(name, value) => property(tenant, u, name)
            .to_lowercase()
            .starts_with(value.as_str()),
        Clause::Equals(name, value) => property(tenant, u, name).to_lowercase() == *value,
    })
}

// ---------------------------------------------------------------------------------------------
// Chats

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
        match user_from_bind(&world.tenant, bind) {
            Some(u) if !ids.contains(&u) => ids.push(u),
            Some(_) => {}
            None => {
                let message = format!("The user in '{bind}' was not found in the directory.");
                return graph_error(&mut world, StatusCode::NOT_FOUND, "NotFound", &message);
            }
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
    // One-on-one chats are unique per pair: Graph returns the existing one.
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

fn chat_access(world: &mut World, caller: &Caller, chat_id: &str) -> Result<usize, Response> {
    let Some(c) = world.tenant.chats.iter().position(|c| c.id == chat_id) else {
        let message = format!("Chat {chat_id} was not found.");
        return Err(graph_error(
            world,
            StatusCode::NOT_FOUND,
            "NotFound",
            &message,
        ));
    };
    if let Some(u) = caller.user()
        && !world.tenant.chats[c].members.contains(&u)
    {
        return Err(graph_error(
            world,
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Forbidden: the user is not a member of this chat.",
        ));
    }
    Ok(c)
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

// ---------------------------------------------------------------------------------------------
// Messages

/// Checks a chatMessage body the way Graph does and returns it as stored.
fn validate_message(world: &mut World, body: &Bytes) -> Result<Value, Response> {
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
        let user_id = mention["mentioned"]["user"]["id"]
            .as_str()
            .unwrap_or_default();
        if world.tenant.find_user(user_id).is_none() {
            let text = format!("The mentioned user '{user_id}' was not found.");
            return Err(graph_error(
                world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &text,
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
        let exists = world
            .messages
            .get(&thread)
            .is_some_and(|m| m.iter().any(|m| &m.id == root && m.reply_to.is_none()));
        if !exists {
            let message = format!("Message {root} was not found in this channel.");
            return graph_error(&mut world, StatusCode::NOT_FOUND, "NotFound", &message);
        }
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

// ---------------------------------------------------------------------------------------------
// $batch

pub async fn batch(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let requests = match serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b["requests"].as_array().cloned())
    {
        Some(r) => r,
        None => {
            let mut world = shared.lock().await;
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "A $batch body is {\"requests\": [...]}.",
            );
        }
    };
    if requests.len() > 20 {
        let mut world = shared.lock().await;
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The number of batch requests exceeds the limit of 20.",
        );
    }
    let router = crate::router(shared.clone());
    let mut responses: Vec<Value> = Vec::new();
    let mut failed: HashSet<String> = HashSet::new();
    for inner in &requests {
        let id = inner["id"].as_str().unwrap_or_default().to_string();
        let depends: Vec<String> = inner["dependsOn"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if depends.iter().any(|d| failed.contains(d)) {
            failed.insert(id.clone());
            responses.push(json!({ "id": id, "status": 424, "body": { "error": { "code": "FailedDependency", "message": "A request this one depends on failed." } } }));
            continue;
        }
        let method = inner["method"].as_str().unwrap_or("GET").to_uppercase();
        let url = inner["url"].as_str().unwrap_or_default();
        let path = format!(
            "/v1.0{}{}",
            if url.starts_with('/') { "" } else { "/" },
            url
        );
        let mut builder = Request::builder().method(method.as_str()).uri(path);
        if let Some(auth) = headers.get(header::AUTHORIZATION) {
            builder = builder.header(header::AUTHORIZATION, auth.clone());
        }
        if let Some(inner_headers) = inner["headers"].as_object() {
            for (k, v) in inner_headers {
                if let Some(v) = v.as_str() {
                    builder = builder.header(k.as_str(), v);
                }
            }
        }
        let has_body = !inner["body"].is_null();
        if has_body
            && inner["headers"]["Content-Type"].is_null()
            && inner["headers"]["content-type"].is_null()
        {
            responses.push(json!({ "id": id, "status": 400, "body": { "error": { "code": "BadRequest", "message": "Content-Type header must be specified when a body is present." } } }));
            failed.insert(id);
            continue;
        }
        let request = builder
            .body(if has_body {
                Body::from(inner["body"].to_string())
            } else {
                Body::empty()
            })
            .expect("a valid inner request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status >= 400 {
            failed.insert(id.clone());
        }
        let mut entry = json!({ "id": id, "status": status, "headers": { "Content-Type": "application/json" }, "body": body });
        if let Some(seconds) = retry_after {
            entry["headers"]["Retry-After"] = json!(seconds);
        }
        responses.push(entry);
    }
    Json(json!({ "responses": responses })).into_response()
}

// ---------------------------------------------------------------------------------------------
// The app's own records: service principals, permission grants, installed apps

fn service_principal_id(app_id: &str) -> String {
    use sha2::Digest;
    let hex = format!("{:x}", sha2::Sha256::digest(app_id.as_bytes()));
    format!(
        "{}-{}-4{}-9{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn known_apps(world: &World) -> Vec<(String, String)> {
    let mut apps: Vec<(String, String)> = vec![(
        world.tenant.bot.app_id.clone(),
        world.tenant.bot.name.clone(),
    )];
    let mut clients: Vec<String> = world
        .user_consents
        .keys()
        .map(|(_, c)| c.clone())
        .chain(world.admin_consents.keys().cloned())
        .collect();
    clients.sort();
    clients.dedup();
    for client in clients {
        if !apps.iter().any(|(id, _)| *id == client) {
            apps.push((client, "OX Teams Connector".into()));
        }
    }
    apps
}

fn sp_json(app_id: &str, name: &str) -> Value {
    json!({
        "id": service_principal_id(app_id),
        "appId": app_id,
        "displayName": name,
        "servicePrincipalType": "Application",
        "accountEnabled": true,
        "appRoleAssignmentRequired": false,
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
    })
}

pub async fn service_principals(
    State(shared): State<Shared>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["Application.Read.All", "Directory.Read.All"],
        &["Application.Read.All", "Directory.Read.All"]
    ));
    let units = throttle::directory_units(world.tenant.users.len());
    try_or_respond!(spend(&mut world, &caller, 1, &[("directory", &units)]));
    let wanted = match param(&params, "$filter") {
        None => None,
        Some(f) => match f.strip_prefix("appId eq ") {
            Some(v) => Some(v.trim_matches('\'').to_lowercase()),
            None => {
                return graph_error(
                    &mut world,
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    "Only $filter=appId eq '...' is supported here.",
                );
            }
        },
    };
    let values: Vec<Value> = known_apps(&world)
        .iter()
        .filter(|(id, _)| wanted.as_deref().is_none_or(|w| id.to_lowercase() == w))
        .map(|(id, name)| sp_json(id, name))
        .collect();
    Json(collection(
        &context(&world, "servicePrincipals"),
        values,
        None,
    ))
    .into_response()
}

pub async fn permission_grants(
    State(shared): State<Shared>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["Directory.Read.All"],
        &["Directory.Read.All"]
    ));
    // Delegated reads of grants also need a directory role, as on Entra.
    if let Some(u) = caller.user()
        && !world.tenant.users[u].admin
    {
        return graph_error(
            &mut world,
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let wanted = match param(&params, "$filter") {
        None => None,
        Some(f) => match f.strip_prefix("clientId eq ") {
            Some(v) => Some(v.trim_matches('\'').to_lowercase()),
            None => {
                return graph_error(
                    &mut world,
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    "Only $filter=clientId eq '...' is supported here.",
                );
            }
        },
    };
    let mut grants = Vec::new();
    for ((user, client), scopes) in &world.user_consents {
        grants.push((
            service_principal_id(client),
            "Principal",
            Some(world.tenant.users[*user].id.clone()),
            scopes,
        ));
    }
    for (client, scopes) in &world.admin_consents {
        grants.push((service_principal_id(client), "AllPrincipals", None, scopes));
    }
    let values: Vec<Value> = grants
        .into_iter()
        .filter(|(sp, ..)| wanted.as_deref().is_none_or(|w| sp.to_lowercase() == w))
        .map(|(sp, kind, principal, scopes)| {
            let mut scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            scopes.sort_unstable();
            json!({
                "id": format!("{}-{}", &sp[..8], principal.as_deref().map_or("all", |p| &p[..8])),
                "clientId": sp,
                "consentType": kind,
                "principalId": principal,
                "resourceId": GRAPH_SP_ID,
                "scope": scopes.join(" "),
            })
        })
        .collect();
    Json(collection(
        &context(&world, "oauth2PermissionGrants"),
        values,
        None,
    ))
    .into_response()
}

fn installed_app_json(world: &World, installation: &str) -> Value {
    json!({
        "id": installation,
        "teamsApp": {
            "id": world.tenant.bot.catalog_id,
            "externalId": world.tenant.bot.app_id,
            "displayName": world.tenant.bot.name,
            "distributionMethod": "organization",
        }
    })
}

pub async fn user_installed_apps(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &[
            "TeamsAppInstallation.ReadForUser",
            "TeamsAppInstallation.ReadWriteForUser"
        ],
        &[
            "TeamsAppInstallation.ReadForUser.All",
            "TeamsAppInstallation.ReadWriteForUser.All"
        ]
    ));
    try_or_respond!(spend(
        &mut world,
        &caller,
        1,
        &[("installed-apps", throttle::TEAMS_GET)]
    ));
    let Some(u) = world.tenant.find_user(&id) else {
        return graph_error(
            &mut world,
            StatusCode::NOT_FOUND,
            "NotFound",
            "The user does not exist.",
        );
    };
    if caller.user().is_some_and(|me| me != u) {
        return graph_error(
            &mut world,
            StatusCode::FORBIDDEN,
            "Forbidden",
            "A delegated caller may only read their own installed apps.",
        );
    }
    let installed = world.tenant.bot.installed_for_users.contains(&u);
    let matches_filter =
        param(&params, "$filter").is_none_or(|f| f.contains(&world.tenant.bot.catalog_id));
    let values = if installed && matches_filter {
        vec![installed_app_json(
            &world,
            &format!("{}-bot", &world.tenant.users[u].id[..8]),
        )]
    } else {
        vec![]
    };
    Json(collection(
        &context(&world, &format!("users('{id}')/teamwork/installedApps")),
        values,
        None,
    ))
    .into_response()
}

pub async fn team_installed_apps(
    State(shared): State<Shared>,
    Path(team_id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["TeamsAppInstallation.ReadForTeam"],
        &["TeamsAppInstallation.ReadForTeam.All"]
    ));
    let t = try_or_respond!(team_access(&mut world, &caller, &team_id));
    let installed = world.tenant.bot.installed_in_teams.contains(&t);
    let matches_filter =
        param(&params, "$filter").is_none_or(|f| f.contains(&world.tenant.bot.catalog_id));
    let values = if installed && matches_filter {
        vec![installed_app_json(
            &world,
            &format!("{}-bot", &team_id[..8]),
        )]
    } else {
        vec![]
    };
    Json(collection(
        &context(&world, &format!("teams('{team_id}')/installedApps")),
        values,
        None,
    ))
    .into_response()
}

pub async fn catalog_apps(
    State(shared): State<Shared>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let mut world = shared.lock().await;
    let caller = try_or_respond!(authenticate(&mut world, &headers, Audience::Graph));
    try_or_respond!(require(
        &mut world,
        &caller,
        &["AppCatalog.Read.All", "Directory.Read.All"],
        &["AppCatalog.Read.All", "Directory.Read.All"]
    ));
    let bot = world.tenant.bot.clone();
    let matches = param(&params, "$filter")
        .is_none_or(|f| f.contains(&bot.app_id) || f.contains("organization"));
    let values = if matches {
        vec![
            json!({ "id": bot.catalog_id, "externalId": bot.app_id, "displayName": bot.name, "distributionMethod": "organization" }),
        ]
    } else {
        vec![]
    };
    Json(collection(
        &context(&world, "appCatalogs/teamsApps"),
        values,
        None,
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptokens_round_trip_and_reject_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(4200)), Some(4200));
        assert_eq!(decode_skiptoken("not-a-token"), None);
    }

    #[test]
    fn search_matches_word_starts() {
        let tenant = crate::tenant::small(1);
        let terms = parse_search("\"displayName:meg bow\"").unwrap();
        assert!(search_matches(&tenant, 0, &terms));
        let terms = parse_search("\"displayName:owen\"").unwrap();
        assert!(
            !search_matches(&tenant, 0, &terms),
            "matches word starts only"
        );
        assert!(parse_search("displayName:x").is_err());
    }
}
