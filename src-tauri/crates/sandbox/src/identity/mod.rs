//! Entra ID's endpoints, at Microsoft's paths for any tenant segment:
//! `/{tenant}/oauth2/v2.0/authorize` (a sign-in and consent page that works without
//! JavaScript), `/{tenant}/oauth2/v2.0/token` (authorization code with PKCE, refresh with
//! rotation, client credentials) and `/{tenant}/v2.0/adminconsent`.
//! Errors take Microsoft's shape: `error`, `error_description` with the AADSTS code,
//! `error_codes`, `timestamp`, `trace_id`, `correlation_id`
//! (<https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>).
//!
//! One file per endpoint (`authorize`, `admin_consent`, `token`) and one for the HTML pages
//! they show; what they share, errors and redirect URIs, is here.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use crate::world::World;

mod admin_consent;
mod authorize;
mod pages;
mod token;

pub use admin_consent::{AdminConsentQuery, admin_consent_page, admin_consent_submit};
pub use authorize::{authorize_page, authorize_submit};
pub use pages::escape;
pub use token::token;

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
// Redirect URIs (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url)

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
// Shared by the sign-in flow and its page

/// The registered app's name, as the consent page and the admin-approval message show it.
fn app_name(world: &World, client_id: &str) -> String {
    world
        .tenant
        .apps
        .iter()
        .find(|a| a.client_id == client_id)
        .and_then(|a| a.name.clone())
        .unwrap_or_else(|| "OX Teams Connector".to_string())
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
}
