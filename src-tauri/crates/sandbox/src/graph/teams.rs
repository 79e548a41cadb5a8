//! Teams and channels: the teams a person joined, every team in the organisation, a team's
//! channels and one channel. Private and shared channels show only to their members.
//! <https://learn.microsoft.com/en-us/graph/api/user-list-joinedteams?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/teams-list?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/channel-list?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/channel-get?view=graph-rest-1.0>.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{
    Caller, Params, Resource, authenticate, collection, context, decode_skiptoken,
    encode_skiptoken, find_or_404, find_visible, graph_error, param, require, select, spend,
};
use crate::Shared;
use crate::tenant::{Membership, Tenant};
use crate::throttle;
use crate::world::{Audience, World};

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
    let u = try_or_respond!(find_or_404(&mut world, Resource::User, |_| who));
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
    // Shared channels are an "unknown enum member" unless the client opts in, as on Graph:
    // https://learn.microsoft.com/en-us/graph/api/resources/channel?view=graph-rest-1.0#properties
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
// Access

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

/// The team, if it exists and the caller may see it: an app, or one of its members.
pub(super) fn team_access(
    world: &mut World,
    caller: &Caller,
    team_id: &str,
) -> Result<usize, Response> {
    find_visible(
        world,
        Resource::Team(team_id),
        |w| find_team(w, team_id),
        |w, t| caller.is_among(&w.tenant.teams[t].members),
    )
}

/// The team and channel, if the caller may see the team and the channel is there (not deleted)
/// and, when private or shared, has the caller as a member.
pub(super) fn find_channel(
    world: &mut World,
    caller: &Caller,
    team_id: &str,
    channel_id: &str,
) -> Result<(usize, usize), Response> {
    let t = team_access(world, caller, team_id)?;
    let c = find_visible(
        world,
        Resource::Channel {
            team_id,
            channel_id,
        },
        |w| {
            let channels = &w.tenant.teams[t].channels;
            channels
                .iter()
                .position(|c| c.id == channel_id)
                .filter(|&c| !channels[c].deleted)
        },
        |w, c| visible_channel(w, t, c, caller),
    )?;
    Ok((t, c))
}
