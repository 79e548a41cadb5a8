//! People: `/me`, `/users/{id}` and the directory search `/users` with `$search`, `$filter`,
//! `$top` and `$skiptoken` paging.
//! <https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0>,
//! <https://learn.microsoft.com/en-us/graph/search-query-parameter>,
//! <https://learn.microsoft.com/en-us/graph/filter-query-parameter>.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{
    Params, Resource, authenticate, collection, context, decode_skiptoken, encode_skiptoken,
    find_or_404, graph_error, param, require, select, spend,
};
use crate::Shared;
use crate::tenant::Tenant;
use crate::throttle;
use crate::world::Audience;

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
    let u = try_or_respond!(find_or_404(
        &mut world,
        Resource::DirectoryObject(&id),
        |w| w.tenant.find_user(&id)
    ));
    let mut body = select(user_json(&world.tenant, u), &params);
    body["@odata.context"] = json!(context(&world, "users/$entity"));
    Json(body).into_response()
}

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
    // https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits
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

#[cfg(test)]
mod tests {
    use super::*;

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
