//! `/{tenant}/oauth2/v2.0/authorize`: the sign-in and consent page, and its form, which
//! redirects back with a code (PKCE) or with Entra's `error=`.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>.

use std::collections::HashSet;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Duration;
use url::Url;

use super::pages::{admin_approval_page, error_page, sign_in_page};
use super::{
    AuthorizeQuery, SignInForm, app_name, check_before_redirect, redirect_error, redirect_with,
};
use crate::Shared;
use crate::scopes;
use crate::world::{AuthCode, World};

const CODE_LIFETIME_MINUTES: i64 = 10;

pub(super) struct Requested {
    /// As sent.
    pub(super) raw: Vec<String>,
    /// Known Graph permissions (canonical short names), without OpenID scopes.
    pub(super) graph: Vec<&'static str>,
}

fn parse_scopes(world: &World, scope: &str) -> Result<Requested, String> {
    let raw: Vec<String> = scope.split_whitespace().map(str::to_string).collect();
    let mut graph = Vec::new();
    for s in &raw {
        let short = scopes::short_name(s, &world.base_url);
        if scopes::is_openid(&short) {
            continue;
        }
        if short == ".default" {
            return Err(
                "interactive sign-in in the sandbox takes explicit scopes, not .default".into(),
            );
        }
        match scopes::canonical(&short) {
            Some(name) if !graph.contains(&name) => graph.push(name),
            Some(_) => {}
            None => {
                return Err(format!(
                    "The provided value for the input parameter 'scope' is not valid. The scope '{s}' does not exist."
                ));
            }
        }
    }
    if graph.is_empty() && !raw.iter().any(|s| s == "openid") {
        return Err("The provided value for the input parameter 'scope' is not valid.".into());
    }
    Ok(Requested { raw, graph })
}

pub async fn authorize_page(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let world = shared.lock().await;
    let (client_id, redirect) = match check_before_redirect(&world, &tenant, &q) {
        Ok(ok) => ok,
        Err((code, text)) => return error_page(StatusCode::BAD_REQUEST, code, &text),
    };
    if let Some(response) = protocol_problem(&world, &q, &redirect) {
        return response;
    }
    let requested = parse_scopes(&world, q.scope.as_deref().unwrap_or_default()).expect("checked");
    Html(sign_in_page(
        &world,
        &client_id,
        &requested,
        q.login_hint.as_deref().unwrap_or(""),
        None,
    ))
    .into_response()
}

/// Problems Entra reports back to the app by redirecting with `error=`.
fn protocol_problem(world: &World, q: &AuthorizeQuery, redirect: &str) -> Option<Response> {
    let state = q.state.as_deref();
    if q.response_type.as_deref() != Some("code") {
        return Some(redirect_error(
            redirect,
            state,
            "unsupported_response_type",
            700054,
            "response_type must be 'code' for this application.",
        ));
    }
    if let Err(text) = parse_scopes(world, q.scope.as_deref().unwrap_or_default()) {
        return Some(redirect_error(
            redirect,
            state,
            "invalid_scope",
            70011,
            &text,
        ));
    }
    match (
        q.code_challenge.as_deref(),
        q.code_challenge_method.as_deref(),
    ) {
        (Some(challenge), Some("S256")) if challenge.len() == 43 => None,
        (Some(_), Some("S256")) => Some(redirect_error(
            redirect,
            state,
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter.",
        )),
        (Some(c), None | Some("plain")) if (43..=128).contains(&c.len()) => None,
        (Some(_), Some(method)) if method != "plain" => Some(redirect_error(
            redirect,
            state,
            "invalid_request",
            501491,
            "Invalid code_challenge_method.",
        )),
        (Some(_), _) => Some(redirect_error(
            redirect,
            state,
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter.",
        )),
        (None, _) => None,
    }
}

pub async fn authorize_submit(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Query(q): Query<AuthorizeQuery>,
    Form(form): Form<SignInForm>,
) -> Response {
    let mut world = shared.lock().await;
    let (client_id, redirect) = match check_before_redirect(&world, &tenant, &q) {
        Ok(ok) => ok,
        Err((code, text)) => return error_page(StatusCode::BAD_REQUEST, code, &text),
    };
    if let Some(response) = protocol_problem(&world, &q, &redirect) {
        return response;
    }
    let state = q.state.as_deref();
    let requested = parse_scopes(&world, q.scope.as_deref().unwrap_or_default()).expect("checked");
    if form.decision != "accept" {
        return redirect_error(
            &redirect,
            state,
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        );
    }
    let Some(user) = world.tenant.find_user(form.username.trim()) else {
        let message = format!(
            "We couldn't find an account with the username {}. Try another account.",
            form.username.trim()
        );
        return Html(sign_in_page(
            &world,
            &client_id,
            &requested,
            &form.username,
            Some(&message),
        ))
        .into_response();
    };
    if world.blocked_by_policy.contains(&user) {
        return redirect_error(
            &redirect,
            state,
            "access_denied",
            53003,
            "Access has been blocked by Conditional Access policies.",
        );
    }
    let is_admin = world.tenant.users[user].admin;
    let tenant_wide: HashSet<String> = world
        .admin_consents
        .get(&client_id)
        .cloned()
        .unwrap_or_default();
    let needs_admin: Vec<&str> = requested
        .graph
        .iter()
        .copied()
        .filter(|name| {
            scopes::find(name).is_some_and(|p| p.admin_only) && !tenant_wide.contains(*name)
        })
        .collect();
    if !needs_admin.is_empty() && !is_admin {
        let text = format!(
            "Need admin approval: {} needs permission to access resources in your organization that only an admin can grant ({}). Ask an admin to grant permission to this app before you can use it.",
            app_name(&world, &client_id),
            needs_admin.join(", ")
        );
        let description = format!("AADSTS90094: {text}");
        let mut back = Url::parse(&redirect).expect("checked");
        back.query_pairs_mut()
            .append_pair("error", "consent_required")
            .append_pair("error_description", &description);
        if let Some(state) = state {
            back.query_pairs_mut().append_pair("state", state);
        }
        return Html(admin_approval_page(&text, back.as_str())).into_response();
    }
    let granted: HashSet<String> = requested.graph.iter().map(|s| s.to_string()).collect();
    if is_admin && form.consent_for_organization.is_some() {
        world
            .admin_consents
            .entry(client_id.clone())
            .or_default()
            .extend(granted.clone());
    }
    world
        .user_consents
        .entry((user, client_id.clone()))
        .or_default()
        .extend(granted);
    let code = world.token("sbx-code.", 32);
    let expires = world.now() + Duration::minutes(CODE_LIFETIME_MINUTES);
    world.codes.insert(
        code.clone(),
        AuthCode {
            client_id,
            redirect_uri: redirect.clone(),
            challenge: q.code_challenge.clone(),
            challenge_method: q
                .code_challenge_method
                .clone()
                .unwrap_or_else(|| "plain".into()),
            requested: requested.raw,
            user,
            nonce: q.nonce.clone(),
            expires,
            redeemed: false,
        },
    );
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_with(&redirect, &params)
}
