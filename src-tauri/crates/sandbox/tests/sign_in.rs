//! Signing in to the sandbox as a client meets it: its pages, the code flow with PKCE, refresh
//! tokens, consent and admin consent, over HTTP on 127.0.0.1.

mod common;

use common::*;

#[tokio::test]
async fn health_and_tenant() {
    let sandbox = sandbox().await;
    let health = client()
        .get(format!("{}/_sandbox/health", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let tenant: Value = client()
        .get(format!("{}/_sandbox/tenant", sandbox.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tenant["domain"], "contoso.onmicrosoft.com");
    assert_eq!(
        tenant["users"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["admin"] == true)
            .count(),
        1
    );
    let kinds: Vec<&str> = tenant["teams"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["channels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["membershipType"].as_str().unwrap())
        })
        .collect();
    assert!(kinds.contains(&"private") && kinds.contains(&"shared") && kinds.contains(&"standard"));
}

#[tokio::test]
async fn sign_in_lists_every_permission_and_marks_admin_ones() {
    let sandbox = sandbox().await;
    let (_, challenge) = pkce();
    let html = client()
        .get(authorize_url(sandbox.url(), SEED_SCOPES, &challenge))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for scope in [
        "User.Read",
        "User.Read.All",
        "Team.ReadBasic.All",
        "Channel.ReadBasic.All",
        "ChannelMessage.Send",
        "Chat.Create",
        "Chat.ReadWrite",
    ] {
        assert!(html.contains(&format!("<b>{scope}</b>")), "{scope} missing");
    }
    assert_eq!(
        html.matches("Requires an administrator's consent").count(),
        2
    );
    assert!(
        !html.contains("<script"),
        "the page works without JavaScript"
    );
}

#[tokio::test]
async fn code_flow_with_pkce_gives_tokens_scope_and_id_token() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    assert_eq!(body["token_type"], "Bearer");
    let expires = body["expires_in"].as_i64().unwrap();
    assert!((3600..=5400).contains(&expires));
    let scope: Vec<&str> = body["scope"].as_str().unwrap().split(' ').collect();
    assert!(
        scope.contains(&"ChannelMessage.Send")
            && !scope.contains(&"openid")
            && !scope.contains(&"offline_access")
    );
    assert!(body["refresh_token"].is_string());
    let id_token = body["id_token"].as_str().unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id_token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["preferred_username"], ADMIN);
    assert_eq!(claims["aud"], CLIENT_ID);

    let me: Value = client()
        .get(format!("{}/v1.0/me", sandbox.url()))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["userPrincipalName"], ADMIN);
    assert_eq!(me["id"], claims["oid"]);
}

#[tokio::test]
async fn a_code_works_once_with_the_right_verifier_only() {
    let sandbox = sandbox().await;
    let base = sandbox.url();
    let (verifier, challenge) = pkce();
    let query = sign_in(base, SEED_SCOPES, &challenge, ADMIN, "accept", true).await;
    assert_eq!(get(&query, "state"), Some("state-123"));
    let code = get(&query, "code").unwrap().to_string();
    let redeem = |verifier: String| {
        let code = code.clone();
        async move {
            token(
                base,
                &[
                    ("client_id", CLIENT_ID),
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", &verifier),
                ],
            )
            .await
        }
    };
    let (status, wrong) =
        redeem("a-completely-different-verifier-that-is-long-enough-1234".into()).await;
    assert_eq!(status, 400);
    assert_eq!(wrong["error"], "invalid_grant");
    assert_eq!(wrong["error_codes"][0], 501481);
    for field in [
        "error_description",
        "trace_id",
        "correlation_id",
        "timestamp",
    ] {
        assert!(wrong[field].is_string(), "{field}");
    }
    let (status, _) = redeem(verifier.clone()).await;
    assert_eq!(status, 200);
    let (status, replay) = redeem(verifier).await;
    assert_eq!(status, 400);
    assert_eq!(replay["error_codes"][0], 54005);
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() {
    let sandbox = sandbox().await;
    let (verifier, challenge) = pkce();
    let query = sign_in(
        sandbox.url(),
        SEED_SCOPES,
        &challenge,
        ADMIN,
        "accept",
        true,
    )
    .await;
    client()
        .post(format!("{}/_sandbox/clock", sandbox.url()))
        .json(&json!({ "seconds": 601 }))
        .send()
        .await
        .unwrap();
    let (status, body) = token(
        sandbox.url(),
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", get(&query, "code").unwrap()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error_codes"][0], 70008);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_revocation_ends_them() {
    let sandbox = sandbox().await;
    let base = sandbox.url();
    let first = admin_tokens(base).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_string();
    let (status, second) = token(
        base,
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt1),
        ],
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2, "a new refresh token every time");
    let (status, third) = token(
        base,
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt2),
        ],
    )
    .await;
    assert_eq!(status, 200, "{third}");

    client()
        .post(format!("{base}/_sandbox/users/{ADMIN}/revoke"))
        .send()
        .await
        .unwrap();
    let rt3 = third["refresh_token"].as_str().unwrap();
    let (status, revoked) = token(
        base,
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt3),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(revoked["error"], "invalid_grant");
    assert_eq!(revoked["error_codes"][0], 50173);
    let me = client()
        .get(format!("{base}/v1.0/me"))
        .bearer_auth(third["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        401,
        "revocation also ends access tokens (continuous access evaluation)"
    );
}

#[tokio::test]
async fn declining_consent_redirects_with_access_denied() {
    let sandbox = sandbox().await;
    let (_, challenge) = pkce();
    let query = sign_in(
        sandbox.url(),
        SEED_SCOPES,
        &challenge,
        ADELE,
        "cancel",
        false,
    )
    .await;
    assert_eq!(get(&query, "error"), Some("access_denied"));
    assert!(
        get(&query, "error_description")
            .unwrap()
            .starts_with("AADSTS65004")
    );
    assert_eq!(get(&query, "state"), Some("state-123"));
}

#[tokio::test]
async fn a_non_admin_cannot_grant_admin_only_permissions_until_the_admin_does() {
    let sandbox = sandbox().await;
    let (verifier, challenge) = pkce();
    let query = sign_in(
        sandbox.url(),
        SEED_SCOPES,
        &challenge,
        ADELE,
        "accept",
        false,
    )
    .await;
    assert_eq!(get(&query, "error"), Some("consent_required"));
    assert!(
        get(&query, "error_description")
            .unwrap()
            .starts_with("AADSTS90094")
    );

    // The admin consents for the organisation; then Adele can sign in.
    admin_tokens(sandbox.url()).await;
    let query = sign_in(
        sandbox.url(),
        SEED_SCOPES,
        &challenge,
        ADELE,
        "accept",
        false,
    )
    .await;
    let (status, body) = token(
        sandbox.url(),
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", get(&query, "code").unwrap()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_wrong_redirect_uri_is_shown_on_the_page_not_redirected() {
    let sandbox = sandbox().await;
    let (_, challenge) = pkce();
    let url = authorize_url(sandbox.url(), SEED_SCOPES, &challenge)
        .replace("localhost%3A53123", "evil.example");
    let page = client().get(url).send().await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("AADSTS50011"));
}
