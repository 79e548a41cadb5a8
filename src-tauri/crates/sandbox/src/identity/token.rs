//! `/{tenant}/oauth2/v2.0/token`: redeems an authorization code (PKCE), refreshes with
//! rotation, and issues app tokens by client credentials (for Graph or the Bot Framework).
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>,
//! <https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens>,
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow>,
//! <https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference>.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{aad_error, no_store};
use crate::Shared;
use crate::scopes;
use crate::world::{AccessToken, Audience, Principal, RefreshToken, World};

const REFRESH_INACTIVITY_DAYS: i64 = 90;
const BOTFRAMEWORK_DEFAULT: &str = "https://api.botframework.com/.default";

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
