//! Entra ID's endpoints, at Microsoft's paths for any tenant segment:
//! `/{tenant}/oauth2/v2.0/authorize` (a sign-in and consent page that works without
//! JavaScript), `/{tenant}/oauth2/v2.0/token` (authorization code with PKCE, refresh with
//! rotation, client credentials) and `/{tenant}/v2.0/adminconsent`.
//! Errors take Microsoft's shape: `error`, `error_description` with the AADSTS code,
//! `error_codes`, `timestamp`, `trace_id`, `correlation_id`.

use std::collections::{HashMap, HashSet};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

use crate::Shared;
use crate::scopes;
use crate::world::{AccessToken, Audience, AuthCode, Principal, RefreshToken, World};

const CODE_LIFETIME_MINUTES: i64 = 10;
const REFRESH_INACTIVITY_DAYS: i64 = 90;
const BOTFRAMEWORK_DEFAULT: &str = "https://api.botframework.com/.default";

#[derive(Debug, Deserialize, Default)]
pub struct AuthorizeQuery {
    client_id: Option<String>,
    response_type: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
    login_hint: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    consent_for_organization: Option<String>,
}

/// Microsoft's error body for the token endpoint.
pub fn aad_error(
    world: &mut World,
    status: StatusCode,
    error: &str,
    code: u32,
    text: &str,
) -> Response {
    let trace = world.guid();
    let correlation = world.guid();
    let timestamp = world.now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let description = format!(
        "AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}"
    );
    let body = json!({
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, no_store(), axum::Json(body)).into_response()
}

fn no_store() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CACHE_CONTROL, "no-store, no-cache"),
        (header::PRAGMA, "no-cache"),
    ]
}

// ---------------------------------------------------------------------------------------------
// Redirect URIs

/// Whether `requested` matches a registered redirect URI. For `localhost` the port is ignored,
/// as Entra does; everything else must match exactly (a missing path counts as `/`).
fn redirect_matches(registered: &str, requested: &str) -> bool {
    let (Ok(a), Ok(b)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    let path = |u: &Url| {
        if u.path().is_empty() {
            "/".to_string()
        } else {
            u.path().to_string()
        }
    };
    let same = a.scheme() == b.scheme() && a.host_str() == b.host_str() && path(&a) == path(&b);
    let port_ok = a.host_str() == Some("localhost") || a.port() == b.port();
    same && port_ok && b.query().is_none() && b.fragment().is_none()
}

fn registered_redirects(world: &World, client_id: &str) -> Option<Vec<String>> {
    if world.tenant.apps.is_empty() {
        // Any client id is a registered public client with the desktop defaults.
        return Some(vec![
            "http://localhost".into(),
            "ox-teams://auth/callback".into(),
        ]);
    }
    world
        .tenant
        .apps
        .iter()
        .find(|app| app.client_id.eq_ignore_ascii_case(client_id))
        .map(|app| app.redirect_uris.clone())
}

/// Checks the parts of an authorize request that Entra reports on its own page rather than
/// by redirecting (the redirect target itself may be the problem).
fn check_before_redirect(
    world: &World,
    tenant: &str,
    q: &AuthorizeQuery,
) -> Result<(String, String), (u32, String)> {
    if !world.tenant.matches_segment(tenant) {
        return Err((
            90002,
            format!(
                "Tenant '{tenant}' not found. Check the tenant in Settings, or whether you meant a different cloud."
            ),
        ));
    }
    let client_id = q.client_id.clone().unwrap_or_default();
    if client_id.is_empty() {
        return Err((
            900144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        ));
    }
    let Some(registered) = registered_redirects(world, &client_id) else {
        return Err((
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. The application may not be registered in this tenant.",
                world.tenant.name
            ),
        ));
    };
    let redirect = q.redirect_uri.clone().unwrap_or_default();
    if !registered.iter().any(|r| redirect_matches(r, &redirect)) {
        return Err((
            50011,
            format!(
                "The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
            ),
        ));
    }
    Ok((client_id, redirect))
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = Url::parse(redirect_uri).expect("checked before");
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in params {
            query.append_pair(k, v);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

fn redirect_error(
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    code: u32,
    text: &str,
) -> Response {
    let description = format!("AADSTS{code}: {text}");
    let mut params = vec![
        ("error", error),
        ("error_description", description.as_str()),
    ];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_with(redirect_uri, &params)
}

// ---------------------------------------------------------------------------------------------
// Sign-in and consent

struct Requested {
    /// As sent.
    raw: Vec<String>,
    /// Known Graph permissions (canonical short names), without OpenID scopes.
    graph: Vec<&'static str>,
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

fn app_name(world: &World, client_id: &str) -> String {
    world
        .tenant
        .apps
        .iter()
        .find(|a| a.client_id == client_id)
        .and_then(|a| a.name.clone())
        .unwrap_or_else(|| "OX Teams Connector".to_string())
}

// ---------------------------------------------------------------------------------------------
// Admin consent

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

// ---------------------------------------------------------------------------------------------
// Token endpoint

pub async fn token(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut world = shared.lock().await;
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return aad_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must be application/x-www-form-urlencoded.",
        );
    }
    if !world.tenant.matches_segment(&tenant) && tenant != "botframework.com" {
        return aad_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    match get("grant_type") {
        "authorization_code" => redeem_code(&mut world, &form),
        "refresh_token" => refresh(&mut world, &form),
        "client_credentials" => client_credentials(&mut world, &form),
        "" => aad_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ),
        other => {
            let text = format!(
                "The provided value for the input parameter 'grant_type' is not valid: {other}."
            );
            aad_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &text,
            )
        }
    }
}

fn redeem_code(world: &mut World, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    if form.contains_key("client_secret") {
        return aad_error(
            world,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        );
    }
    let code_value = get("code");
    let Some(code) = world.codes.get(&code_value).cloned() else {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid: the authorization code is not valid.",
        );
    };
    if code.redeemed {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        );
    }
    if world.now() > code.expires {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        );
    }
    if get("client_id") != code.client_id {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            "The provided value for the 'code' parameter is not valid: it was issued to another client.",
        );
    }
    if get("redirect_uri") != code.redirect_uri {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50148,
            "The redirect_uri specified in the token request does not match the one used in the authorization request.",
        );
    }
    if let Some(challenge) = &code.challenge {
        let verifier = get("code_verifier");
        if verifier.is_empty() {
            return aad_error(
                world,
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request: the code_verifier is missing.",
            );
        }
        let computed = if code.challenge_method == "S256" {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()))
        } else {
            verifier.clone()
        };
        if &computed != challenge {
            return aad_error(
                world,
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            );
        }
    }
    world.codes.get_mut(&code_value).expect("present").redeemed = true;
    if let Some(response) = user_blocked(world, code.user) {
        return response;
    }
    issue_user_tokens(
        world,
        &code.client_id,
        code.user,
        &code.requested,
        code.nonce.as_deref(),
    )
}

fn user_blocked(world: &mut World, user: usize) -> Option<Response> {
    if world.tenant.users[user].removed {
        return Some(aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50057,
            "The user account is disabled or has been deleted.",
        ));
    }
    if world.blocked_by_policy.contains(&user) {
        return Some(aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        ));
    }
    if world.mfa_required.contains(&user) {
        return Some(aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "interaction_required",
            50076,
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.",
        ));
    }
    None
}

fn refresh(world: &mut World, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let presented = get("refresh_token");
    let Some(grant) = world.refresh_tokens.get(&presented).cloned() else {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid: the refresh token is not valid.",
        );
    };
    if grant.client_id != get("client_id") {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            "The refresh token was issued to another client.",
        );
    }
    if grant.revoked {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password, or an administrator revoked their sessions.",
        );
    }
    if world.now() - grant.last_used > Duration::days(REFRESH_INACTIVITY_DAYS) {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            700082,
            "The refresh token has expired due to inactivity. The token was issued a long time ago and was inactive for 90 days.",
        );
    }
    if let Some(response) = user_blocked(world, grant.user) {
        return response;
    }
    // Scopes on refresh may narrow what was granted, never widen it.
    let requested = get("scope");
    let scopes: Vec<String> = if requested.trim().is_empty() {
        grant.requested.clone()
    } else {
        let granted: HashSet<String> = grant
            .requested
            .iter()
            .map(|s| scopes::short_name(s, &world.base_url).to_lowercase())
            .collect();
        let asked: Vec<String> = requested.split_whitespace().map(str::to_string).collect();
        if let Some(extra) = asked.iter().find(|s| {
            let short = scopes::short_name(s, &world.base_url).to_lowercase();
            !granted.contains(&short) && !scopes::is_openid(&short) && short != ".default"
        }) {
            let text = format!(
                "The user or administrator has not consented to use the application with ID '{}'. Send an interactive authorization request for this user and resource (scope {extra}).",
                grant.client_id
            );
            return aad_error(
                world,
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                65001,
                &text,
            );
        }
        if asked.iter().any(|s| s.ends_with(".default")) {
            grant.requested.clone()
        } else {
            asked
        }
    };
    let now = world.now();
    if let Some(stored) = world.refresh_tokens.get_mut(&presented) {
        stored.last_used = now;
    }
    issue_user_tokens(world, &grant.client_id, grant.user, &scopes, None)
}

fn issue_user_tokens(
    world: &mut World,
    client_id: &str,
    user: usize,
    requested: &[String],
    nonce: Option<&str>,
) -> Response {
    let now = world.now();
    let consented: HashSet<String> = world
        .user_consents
        .get(&(user, client_id.to_string()))
        .cloned()
        .unwrap_or_default()
        .union(
            &world
                .admin_consents
                .get(client_id)
                .cloned()
                .unwrap_or_default(),
        )
        .cloned()
        .collect();
    let mut granted_raw = Vec::new();
    let mut permissions = HashSet::new();
    for raw in requested {
        let short = scopes::short_name(raw, &world.base_url);
        if scopes::is_openid(&short) {
            continue;
        }
        if let Some(name) = scopes::canonical(&short)
            && consented.contains(name)
        {
            granted_raw.push(raw.clone());
            permissions.insert(name.to_string());
        }
    }
    let lifetime = world.access_token_lifetime();
    let access = world.token("sbx-at.", 48);
    world.access_tokens.insert(
        access.clone(),
        AccessToken {
            client_id: client_id.to_string(),
            principal: Principal::User(user),
            permissions,
            audience: Audience::Graph,
            expires: now + Duration::seconds(lifetime),
            revoked: false,
        },
    );
    let mut body = json!({
        "token_type": "Bearer",
        "scope": granted_raw.join(" "),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    });
    let has = |name: &str| requested.iter().any(|s| s.eq_ignore_ascii_case(name));
    if has("offline_access") {
        let refresh = world.token("0.sbx-rt.", 64);
        world.refresh_tokens.insert(
            refresh.clone(),
            RefreshToken {
                client_id: client_id.to_string(),
                user,
                requested: requested.to_vec(),
                last_used: now,
                revoked: false,
            },
        );
        body["refresh_token"] = json!(refresh);
    }
    if has("openid") {
        body["id_token"] = json!(id_token(world, client_id, user, nonce));
    }
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

fn client_credentials(world: &mut World, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let client_id = get("client_id");
    let bot = world.tenant.bot.clone();
    if !client_id.eq_ignore_ascii_case(&bot.app_id) {
        let text = format!(
            "Application with identifier '{client_id}' was not found in the directory '{}'.",
            world.tenant.name
        );
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &text,
        );
    }
    if get("client_secret") != bot.secret {
        let text = format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
        );
        return aad_error(
            world,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &text,
        );
    }
    let scope = get("scope");
    let audience = if scope == BOTFRAMEWORK_DEFAULT {
        Audience::BotFramework
    } else if scopes::short_name(&scope, &world.base_url) == ".default" {
        Audience::Graph
    } else {
        return aad_error(
            world,
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
        );
    };
    // Before an admin consents, Entra still issues a token, just without any roles.
    let roles = match audience {
        Audience::Graph => world.app_roles.get(&client_id).cloned().unwrap_or_default(),
        Audience::BotFramework => HashSet::new(),
    };
    let token = world.token("sbx-app.", 48);
    let expires = world.now() + Duration::seconds(3599);
    world.access_tokens.insert(
        token.clone(),
        AccessToken {
            client_id: client_id.clone(),
            principal: Principal::App(client_id),
            permissions: roles,
            audience,
            expires,
            revoked: false,
        },
    );
    let body = json!({ "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token });
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

fn id_token(world: &mut World, client_id: &str, user: usize, nonce: Option<&str>) -> String {
    let now = world.now().timestamp();
    let u = world.tenant.users[user].clone();
    let mut claims = json!({
        "aud": client_id,
        "iss": format!("{}/{}/v2.0", world.base_url.trim_end_matches('/'), world.tenant.id),
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "name": u.display_name,
        "oid": u.id,
        "preferred_username": u.upn,
        "sub": format!("{:x}", Sha256::digest(format!("{}{}", u.id, client_id).as_bytes()))[..43].to_string(),
        "tid": world.tenant.id,
        "ver": "2.0",
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    let encode = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let signing_input = format!(
        "{}.{}",
        encode(&json!({"typ": "JWT", "alg": "HS256", "kid": "sandbox"})),
        encode(&claims)
    );
    let mut mac =
        Hmac::<Sha256>::new_from_slice(world.tenant.id.as_bytes()).expect("any key length");
    mac.update(signing_input.as_bytes());
    let signature =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

// ---------------------------------------------------------------------------------------------
// Pages

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:'Segoe UI',system-ui,sans-serif;background:#f3f2f1;margin:0;color:#242424}\
main{max-width:480px;margin:48px auto;background:#fff;padding:36px 44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}\
h1{font-size:24px;font-weight:600;margin:0 0 8px}.sub{color:#616161;margin:0 0 20px}\
ul{padding:0;list-style:none;margin:0 0 20px}li{padding:8px 0;border-bottom:1px solid #edebe9}\
li b{display:block}.admin{display:inline-block;margin-top:4px;font-size:12px;color:#8a3707;background:#fdf6f3;padding:1px 6px;border-radius:4px}\
label{display:block;font-weight:600;margin:12px 0 4px}input[type=text],input[type=email]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #8a8886;font-size:15px}\
.row{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}button{padding:8px 20px;font-size:14px;border:1px solid #8a8886;background:#fff;cursor:pointer}\
button.primary{background:#0067b8;color:#fff;border-color:#0067b8}.error{color:#a4262c;margin:8px 0}.hint{font-size:13px;color:#616161}\
.org{font-weight:400;display:flex;gap:6px;align-items:center}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

fn permission_list(names: &[&str], raw: &[String]) -> String {
    let mut items = String::new();
    for name in names {
        let p = scopes::find(name).expect("known");
        items.push_str(&format!(
            "<li><b>{}</b>{}{}</li>",
            escape(p.name),
            escape(p.reason),
            if p.admin_only {
                "<br><span class=\"admin\">Requires an administrator's consent</span>"
            } else {
                ""
            }
        ));
    }
    for scope in raw {
        if let Some(reason) = scopes::openid_reason(scope) {
            items.push_str(&format!(
                "<li><b>{}</b>{}</li>",
                escape(scope),
                escape(reason)
            ));
        }
    }
    format!("<ul>{items}</ul>")
}

fn sign_in_page(
    world: &World,
    client_id: &str,
    requested: &Requested,
    username: &str,
    error: Option<&str>,
) -> String {
    let users: String = world
        .tenant
        .users
        .iter()
        .filter(|u| !u.removed)
        .take(40)
        .map(|u| {
            format!(
                "<option value=\"{}\">{}</option>",
                escape(&u.upn),
                escape(&u.display_name)
            )
        })
        .collect();
    let admin = &world.tenant.users[world.tenant.admin()];
    let body = format!(
        "<h1>Sign in and accept permissions</h1>\
         <p class=\"sub\">{app} wants to access {tenant} (sandbox tenant) as you. It asks to:</p>\
         {permissions}\
         <form method=\"post\">\
         <label for=\"username\">Account</label>\
         <input type=\"email\" id=\"username\" name=\"username\" list=\"people\" value=\"{username}\" placeholder=\"someone@{domain}\" autocomplete=\"username\" required>\
         <datalist id=\"people\">{users}</datalist>\
         {error}\
         <p class=\"hint\">This is the local sandbox: no password. {admin_name} ({admin_upn}) is the administrator.</p>\
         <label class=\"org\"><input type=\"checkbox\" name=\"consent_for_organization\" value=\"on\"> Consent on behalf of your organization (administrators only)</label>\
         <div class=\"row\"><button type=\"submit\" name=\"decision\" value=\"cancel\" formnovalidate>Cancel</button>\
         <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button></div>\
         </form>",
        app = escape(&app_name(world, client_id)),
        tenant = escape(&world.tenant.name),
        permissions = permission_list(&requested.graph, &requested.raw),
        username = escape(username),
        domain = escape(&world.tenant.domain),
        error = error
            .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
            .unwrap_or_default(),
        admin_name = escape(&admin.display_name),
        admin_upn = escape(&admin.upn),
    );
    page("Sign in to your account", &body)
}

fn admin_consent_form(world: &World, client_id: &str, error: Option<&str>) -> String {
    let is_bot = client_id.eq_ignore_ascii_case(&world.tenant.bot.app_id);
    let what = if is_bot {
        let roles: String = scopes::BOT_APP_ROLES
            .iter()
            .map(|r| {
                format!(
                    "<li><b>{}</b>Application permission, for the whole organization.</li>",
                    escape(r)
                )
            })
            .collect();
        format!("<ul>{roles}</ul>")
    } else {
        "<p>The permissions configured for the app, for every user.</p>".to_string()
    };
    let body = format!(
        "<h1>Permissions requested — accept for your organization</h1>\
         <p class=\"sub\">{app} wants these permissions for everyone at {tenant}:</p>{what}\
         <form method=\"post\"><label for=\"username\">Administrator account</label>\
         <input type=\"email\" id=\"username\" name=\"username\" value=\"{admin}\" required>{error}\
         <div class=\"row\"><button type=\"submit\" name=\"decision\" value=\"cancel\" formnovalidate>Cancel</button>\
         <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button></div></form>",
        app = escape(if is_bot {
            &world.tenant.bot.name
        } else {
            "OX Teams Connector"
        }),
        tenant = escape(&world.tenant.name),
        admin = escape(&world.tenant.users[world.tenant.admin()].upn),
        error = error
            .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
            .unwrap_or_default(),
    );
    page("Permissions requested", &body)
}

fn admin_approval_page(text: &str, back: &str) -> String {
    let body = format!(
        "<h1>Need admin approval</h1><p>{}</p>\
         <p><a id=\"return\" href=\"{}\">Return to the application without granting consent</a></p>",
        escape(text),
        escape(back)
    );
    page("Need admin approval", &body)
}

fn error_page(status: StatusCode, code: u32, text: &str) -> Response {
    let body = format!(
        "<h1>Sorry, but we're having trouble signing you in.</h1><p class=\"error\" id=\"error\">AADSTS{code}: {}</p>",
        escape(text)
    );
    (status, Html(page("Sign in error", &body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_redirects_match_on_any_port_and_others_exactly() {
        assert!(redirect_matches(
            "http://localhost",
            "http://localhost:53124/"
        ));
        assert!(redirect_matches(
            "http://localhost/cb",
            "http://localhost:1/cb"
        ));
        assert!(!redirect_matches(
            "http://localhost/cb",
            "http://localhost:1/other"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5000/cb"
        ));
        assert!(redirect_matches(
            "http://127.0.0.1:5000/cb",
            "http://127.0.0.1:5000/cb"
        ));
        assert!(!redirect_matches(
            "http://localhost",
            "http://evil.example/"
        ));
        assert!(!redirect_matches(
            "http://localhost",
            "http://localhost:1/?x=1"
        ));
        assert!(redirect_matches(
            "ox-teams://auth/callback",
            "ox-teams://auth/callback"
        ));
    }

    #[test]
    fn pages_escape_what_they_echo() {
        assert_eq!(
            escape("<script>\"x\"&'"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;"
        );
    }
}
