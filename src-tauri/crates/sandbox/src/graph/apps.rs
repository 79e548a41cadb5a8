//! The app's own records: its service principal, the OAuth2 permission grants made to it, and
//! the bot's Teams app (installed for people and in teams, and published in the catalog).
//! <https://learn.microsoft.com/en-us/graph/api/serviceprincipal-list?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/oauth2permissiongrant-list?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/userteamwork-list-installedapps?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/team-list-installedapps?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/appcatalogs-list-teamsapps?view=graph-rest-1.0>.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::teams::team_access;
use super::{
    Params, Resource, authenticate, collection, context, find_visible, graph_error, param, require,
    spend,
};
use crate::Shared;
use crate::throttle;
use crate::world::{Audience, World};

/// Microsoft Graph's own service principal, the resource of every grant.
const GRAPH_SP_ID: &str = "0b6e2d4a-7f1c-4c2e-9f0a-6f1e5d4c3b2a";

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
    let u = try_or_respond!(find_visible(
        &mut world,
        Resource::UserApps,
        |w| w.tenant.find_user(&id),
        |_, u| caller.is_among(&[u])
    ));
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
