//! `/{tenant}/v2.0/adminconsent`: an administrator grants the app's permissions for the whole
//! organisation (the bot's application permissions included) and is redirected back.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent>.

use std::collections::HashSet;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::pages::{admin_consent_form, error_page};
use super::{AuthorizeQuery, SignInForm, check_before_redirect, redirect_error, redirect_with};
use crate::Shared;
use crate::scopes;
use crate::world::World;

#[derive(Debug, Deserialize, Default)]
pub struct AdminConsentQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    scope: Option<String>,
}

pub async fn admin_consent_page(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Query(q): Query<AdminConsentQuery>,
) -> Response {
    let world = shared.lock().await;
    match admin_consent_check(&world, &tenant, &q) {
        Ok((client_id, _)) => Html(admin_consent_form(&world, &client_id, None)).into_response(),
        Err((code, text)) => error_page(StatusCode::BAD_REQUEST, code, &text),
    }
}

fn admin_consent_check(
    world: &World,
    tenant: &str,
    q: &AdminConsentQuery,
) -> Result<(String, String), (u32, String)> {
    if tenant.eq_ignore_ascii_case("common") || tenant.eq_ignore_ascii_case("consumers") {
        return Err((50194, "Admin consent needs a tenant: use your tenant ID, domain or organizations, not common.".into()));
    }
    let query = AuthorizeQuery {
        client_id: q.client_id.clone(),
        redirect_uri: q.redirect_uri.clone(),
        ..AuthorizeQuery::default()
    };
    check_before_redirect(world, tenant, &query)
}

pub async fn admin_consent_submit(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Query(q): Query<AdminConsentQuery>,
    Form(form): Form<SignInForm>,
) -> Response {
    let mut world = shared.lock().await;
    let (client_id, redirect) = match admin_consent_check(&world, &tenant, &q) {
        Ok(ok) => ok,
        Err((code, text)) => return error_page(StatusCode::BAD_REQUEST, code, &text),
    };
    let state = q.state.as_deref();
    if form.decision != "accept" {
        return redirect_error(
            &redirect,
            state,
            "access_denied",
            65004,
            "The admin declined to consent to access the app.",
        );
    }
    let Some(user) = world.tenant.find_user(form.username.trim()) else {
        let message = format!(
            "We couldn't find an account with the username {}.",
            form.username.trim()
        );
        return Html(admin_consent_form(&world, &client_id, Some(&message))).into_response();
    };
    if !world.tenant.users[user].admin {
        return redirect_error(
            &redirect,
            state,
            "consent_required",
            90094,
            "Admin consent is required: this account is not an administrator of the organization.",
        );
    }
    // Tenant-wide consent: the app's application permissions (for the bot) and the delegated
    // permissions it asks for.
    if client_id.eq_ignore_ascii_case(&world.tenant.bot.app_id) {
        world
            .app_roles
            .entry(client_id.clone())
            .or_default()
            .extend(scopes::set(scopes::BOT_APP_ROLES));
    }
    let delegated: HashSet<String> = q
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|s| scopes::canonical(&scopes::short_name(s, &world.base_url)))
        .map(str::to_string)
        .collect();
    world
        .admin_consents
        .entry(client_id.clone())
        .or_default()
        .extend(delegated);
    let tenant_id = world.tenant.id.clone();
    let scope = q
        .scope
        .clone()
        .unwrap_or_else(|| "https://graph.microsoft.com/.default".into());
    let mut params = vec![
        ("admin_consent", "True"),
        ("tenant", tenant_id.as_str()),
        ("scope", scope.as_str()),
    ];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_with(&redirect, &params)
}
