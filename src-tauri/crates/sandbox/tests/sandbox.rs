//! The sandbox as a client meets it: over HTTP on 127.0.0.1, with Microsoft's paths, bodies,
//! errors and limits.

use base64::Engine;
use reqwest::{Client, StatusCode, redirect};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

use ox_teams_sandbox::tenant;
use ox_teams_sandbox::{Sandbox, SandboxOptions};

const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const REDIRECT: &str = "http://localhost:53123/";
const ADMIN: &str = "megan.bowen@contoso.onmicrosoft.com";
const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";
const SEED_SCOPES: &str = "openid profile offline_access User.Read User.Read.All Team.ReadBasic.All Channel.ReadBasic.All ChannelMessage.Send Chat.Create Chat.ReadWrite";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap()
}

fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

fn pkce() -> (String, String) {
    let verifier = "x".repeat(20) + "-verifier-of-sufficient-length-for-pkce";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_url(base: &str, scope: &str, challenge: &str) -> String {
    let mut url = Url::parse(&format!("{base}/organizations/oauth2/v2.0/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("response_mode", "query")
        .append_pair("scope", scope)
        .append_pair("state", "state-123")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    url.to_string()
}

/// Signs in through the HTML form as a person would; returns the redirect's query.
async fn sign_in(
    base: &str,
    scope: &str,
    challenge: &str,
    username: &str,
    decision: &str,
    for_org: bool,
) -> Vec<(String, String)> {
    let url = authorize_url(base, scope, challenge);
    let http = client();
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\">"), "{html}");
    let mut form = vec![
        ("username", username.to_string()),
        ("decision", decision.to_string()),
    ];
    if for_org {
        form.push(("consent_for_organization", "on".into()));
    }
    let answer = http.post(&url).form(&form).send().await.unwrap();
    if answer.status() == StatusCode::OK {
        // The "need admin approval" page: follow its way back to the app.
        let html = answer.text().await.unwrap();
        let start = html.find("id=\"return\" href=\"").expect("a way back") + 18;
        let href = html[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        return Url::parse(&href)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
    }
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        answer.text().await
    );
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn token(base: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{base}/organizations/oauth2/v2.0/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// A signed-in admin's tokens for the seed's scopes.
async fn admin_tokens(base: &str) -> Value {
    let (verifier, challenge) = pkce();
    let query = sign_in(base, SEED_SCOPES, &challenge, ADMIN, "accept", true).await;
    let code = get(&query, "code").unwrap().to_string();
    let (status, body) = token(
        base,
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

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

#[tokio::test]
async fn graph_demands_each_endpoints_permission() {
    let sandbox = sandbox().await;
    let (verifier, challenge) = pkce();
    let query = sign_in(
        sandbox.url(),
        "openid offline_access User.Read",
        &challenge,
        ADELE,
        "accept",
        false,
    )
    .await;
    let (_, body) = token(
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
    let at = body["access_token"].as_str().unwrap();
    let me = client()
        .get(format!("{}/v1.0/me", sandbox.url()))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let teams = client()
        .get(format!("{}/v1.0/me/joinedTeams", sandbox.url()))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(teams.status(), 403);
    let error: Value = teams.json().await.unwrap();
    assert_eq!(error["error"]["code"], "Forbidden");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Team.ReadBasic.All")
    );
    assert!(error["error"]["innerError"]["request-id"].is_string());
    let none = client()
        .get(format!("{}/v1.0/me", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
}

async fn graph(sandbox: &Sandbox, at: &str, path: &str) -> (StatusCode, Value) {
    let response = client()
        .get(format!("{}/v1.0{path}", sandbox.url()))
        .bearer_auth(at)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn people_search_needs_eventual_consistency_and_pages_by_next_link() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::large(1, 5_000, 20)), 0)
        .await
        .unwrap();
    let tokens = admin_tokens_large(&sandbox).await;
    let at = tokens.as_str();
    let plain = client()
        .get(format!(
            "{}/v1.0/users?$search=\"displayName:ada\"",
            sandbox.url()
        ))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 400);
    let (status, page) = graph(
        &sandbox,
        at,
        "/users?$search=\"displayName:ada\"&$top=10&$count=true&$select=id,displayName",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let total = page["@odata.count"].as_u64().unwrap();
    assert!(total > 10);
    assert!(
        page["value"][0].get("mail").is_none(),
        "$select keeps only what was asked"
    );
    let mut seen = page["value"].as_array().unwrap().len() as u64;
    let mut next = page["@odata.nextLink"].as_str().map(str::to_string);
    while let Some(link) = next {
        let response: Value = client()
            .get(&link)
            .bearer_auth(at)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen += response["value"].as_array().unwrap().len() as u64;
        next = response["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(seen, total);
    let (status, _) = graph(&sandbox, at, "/users?$top=1000").await;
    assert_eq!(status, 400);
}

async fn admin_tokens_large(sandbox: &Sandbox) -> String {
    let admin = sandbox.world().lock().await.tenant.users[0].upn.clone();
    let (verifier, challenge) = pkce();
    let query = sign_in(
        sandbox.url(),
        SEED_SCOPES,
        &challenge,
        &admin,
        "accept",
        true,
    )
    .await;
    let (_, body) = token(
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
    body["access_token"].as_str().unwrap().to_string()
}

fn card_message(text: &str) -> Value {
    let card = json!({ "type": "AdaptiveCard", "version": "1.5", "body": [{ "type": "TextBlock", "text": text, "wrap": true }] });
    json!({
        "body": { "contentType": "html", "content": "<attachment id=\"card1\"></attachment>" },
        "attachments": [{ "id": "card1", "contentType": "application/vnd.microsoft.card.adaptive", "content": card.to_string() }]
    })
}

#[tokio::test]
async fn chats_and_channels_receive_messages_that_the_sandbox_shows() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let http = client();
    let base = sandbox.url();
    let adele_id = sandbox.world().lock().await.tenant.users[1].id.clone();
    let new_chat = json!({
        "chatType": "oneOnOne",
        "members": [
            { "@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"], "user@odata.bind": format!("https://graph.microsoft.com/v1.0/users('{ADMIN}')") },
            { "@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"], "user@odata.bind": format!("https://graph.microsoft.com/v1.0/users('{adele_id}')") },
        ]
    });
    let chat: Value = http
        .post(format!("{base}/v1.0/chats"))
        .bearer_auth(at)
        .json(&new_chat)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let chat_id = chat["id"].as_str().unwrap();
    assert!(
        chat_id.ends_with("@unq.gbl.spaces"),
        "the existing one-on-one chat comes back"
    );
    let sent = http
        .post(format!("{base}/v1.0/chats/{chat_id}/messages"))
        .bearer_auth(at)
        .json(&card_message("SQL injection in /login"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["chatId"], chat_id);
    assert_eq!(
        sent["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );

    let (team_id, channel_id) = {
        let world = sandbox.world().lock().await;
        let team = &world.tenant.teams[0];
        (team.id.clone(), team.channels[1].id.clone())
    };
    let posted = http
        .post(format!(
            "{base}/v1.0/teams/{team_id}/channels/{channel_id}/messages"
        ))
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "plain text alert" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);

    let seen: Value = http
        .get(format!("{base}/_sandbox/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["chats"].as_array().unwrap().len(), 1);
    assert_eq!(seen["chats"][0]["messages"][0]["message"]["id"], sent["id"]);
    assert_eq!(seen["channels"][0]["channelName"], "Alerts");
    assert_eq!(
        seen["channels"][0]["messages"][0]["message"]["body"]["content"],
        "plain text alert"
    );

    // The rest checks content, not pace.
    http.post(format!("{base}/_sandbox/throttling"))
        .json(&json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    // A card not referenced from the body is refused, as Graph does.
    let mut broken = card_message("x");
    broken["body"]["content"] = json!("no attachment tag");
    let refused = http
        .post(format!("{base}/v1.0/chats/{chat_id}/messages"))
        .bearer_auth(at)
        .json(&broken)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    // Too big.
    let huge = card_message(&"A".repeat(30_000));
    let refused = http
        .post(format!("{base}/v1.0/chats/{chat_id}/messages"))
        .bearer_auth(at)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 413);
}

#[tokio::test]
async fn one_post_per_second_per_chat_then_429_with_retry_after() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let chat_id = sandbox.world().lock().await.tenant.chats[0].id.clone();
    let url = format!("{}/v1.0/chats/{chat_id}/messages", sandbox.url());
    let first = client()
        .post(&url)
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "one" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let second = client()
        .post(&url)
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "two" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["retry-after"], "1");
    let error: Value = second.json().await.unwrap();
    assert_eq!(error["error"]["code"], "TooManyRequests");
}

#[tokio::test]
async fn deleted_channels_and_injected_faults() {
    let sandbox = sandbox().await;
    let base = sandbox.url();
    let body = admin_tokens(base).await;
    let at = body["access_token"].as_str().unwrap();
    let (team_id, channel_id) = {
        let world = sandbox.world().lock().await;
        (
            world.tenant.teams[0].id.clone(),
            world.tenant.teams[0].channels[1].id.clone(),
        )
    };
    let http = client();
    http.post(format!("{base}/_sandbox/faults")).json(&json!({ "method": "GET", "path": "/v1.0/me", "status": 503, "count": 2, "retry_after": 3 })).send().await.unwrap();
    for _ in 0..2 {
        let failed = http
            .get(format!("{base}/v1.0/me"))
            .bearer_auth(at)
            .send()
            .await
            .unwrap();
        assert_eq!(failed.status(), 503);
        assert_eq!(failed.headers()["retry-after"], "3");
    }
    assert_eq!(
        http.get(format!("{base}/v1.0/me"))
            .bearer_auth(at)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    http.delete(format!(
        "{base}/_sandbox/teams/{team_id}/channels/{channel_id}"
    ))
    .send()
    .await
    .unwrap();
    let gone = http
        .post(format!(
            "{base}/v1.0/teams/{team_id}/channels/{channel_id}/messages"
        ))
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    let log: Value = http
        .get(format!("{base}/_sandbox/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<u64> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "/v1.0/me")
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert!(!log.to_string().contains(at), "the log never holds a token");
}

#[tokio::test]
async fn batch_runs_up_to_twenty_requests_with_their_own_statuses() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let batch = json!({ "requests": [
        { "id": "1", "method": "GET", "url": "/me?$select=id,displayName" },
        { "id": "2", "method": "GET", "url": "/me/joinedTeams", "dependsOn": ["1"] },
        { "id": "3", "method": "GET", "url": "/teams/nope/channels" },
        { "id": "4", "method": "GET", "url": "/me", "dependsOn": ["3"] },
    ]});
    let answer: Value = client()
        .post(format!("{}/v1.0/$batch", sandbox.url()))
        .bearer_auth(at)
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = |id: &str| {
        answer["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (status("1"), status("2"), status("3"), status("4")),
        (200, 200, 404, 424)
    );
    let too_many = json!({ "requests": (0..21).map(|i| json!({ "id": i.to_string(), "method": "GET", "url": "/me" })).collect::<Vec<_>>() });
    let refused = client()
        .post(format!("{}/v1.0/$batch", sandbox.url()))
        .bearer_auth(at)
        .json(&too_many)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

async fn bot_token(base: &str, secret: &str) -> (StatusCode, Value) {
    token(
        base,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", tenant::DEFAULT_BOT_APP_ID),
            ("client_secret", secret),
            ("scope", "https://api.botframework.com/.default"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_bot_starts_conversations_only_where_it_is_installed() {
    let sandbox = sandbox().await;
    let base = sandbox.url();
    let (status, wrong) = bot_token(base, "not-the-secret").await;
    assert_eq!(status, 401);
    assert_eq!(wrong["error_codes"][0], 7000215);
    let (_, body) = bot_token(base, tenant::DEFAULT_BOT_SECRET).await;
    let at = body["access_token"].as_str().unwrap();
    let (tenant_id, adele, team_id, channel_id) = {
        let world = sandbox.world().lock().await;
        (
            world.tenant.id.clone(),
            world.tenant.users[1].id.clone(),
            world.tenant.teams[0].id.clone(),
            world.tenant.teams[0].channels[1].id.clone(),
        )
    };
    let http = client();
    let conversation: Value = http
        .post(format!("{base}/v3/conversations"))
        .bearer_auth(at)
        .json(&json!({
            "bot": { "id": format!("28:{}", tenant::DEFAULT_BOT_APP_ID) }, "isGroup": false,
            "members": [{ "id": adele }], "channelData": { "tenant": { "id": tenant_id } },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation_id = conversation["id"].as_str().unwrap();
    let sent = http.post(format!("{base}/v3/conversations/{conversation_id}/activities")).bearer_auth(at).json(&json!({
        "type": "message", "text": "New critical issue",
        "attachments": [{ "contentType": "application/vnd.microsoft.card.adaptive", "content": { "type": "AdaptiveCard", "version": "1.5", "body": [] } }],
    })).send().await.unwrap();
    assert_eq!(sent.status(), 201);
    assert!(sent.json::<Value>().await.unwrap()["id"].is_string());

    let thread = http.post(format!("{base}/v3/conversations")).bearer_auth(at).json(&json!({
        "isGroup": true, "bot": { "id": format!("28:{}", tenant::DEFAULT_BOT_APP_ID) },
        "channelData": { "tenant": { "id": tenant_id }, "team": { "id": team_id }, "channel": { "id": channel_id } },
        "activity": { "type": "message", "text": "Thread root" },
    })).send().await.unwrap();
    assert_eq!(thread.status(), 201);
    let thread: Value = thread.json().await.unwrap();
    assert!(thread["id"].as_str().unwrap().contains(";messageid="));

    let no_type = http
        .post(format!(
            "{base}/v3/conversations/{conversation_id}/activities"
        ))
        .bearer_auth(at)
        .json(&json!({ "text": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(no_type.status(), 400);

    http.post(format!("{base}/_sandbox/users/{adele}/uninstall-app"))
        .send()
        .await
        .unwrap();
    let blocked = http
        .post(format!(
            "{base}/v3/conversations/{conversation_id}/activities"
        ))
        .bearer_auth(at)
        .json(&json!({ "type": "message", "text": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 403);
    let refused = http.post(format!("{base}/v3/conversations")).bearer_auth(at).json(&json!({
        "bot": { "id": tenant::DEFAULT_BOT_APP_ID }, "members": [{ "id": adele }], "channelData": { "tenant": { "id": tenant_id } },
    })).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"]["code"],
        "ForbiddenOperationException"
    );

    let seen: Value = http
        .get(format!("{base}/_sandbox/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["bot"][0]["messages"].as_array().unwrap().len(), 1);
    assert_eq!(seen["channels"][0]["messages"][0]["via"], "bot");
}

/// Graph's schemas are OpenAPI 3.0: `nullable: true` becomes a `null` type for JSON Schema.
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(kind)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([kind, "null"]));
                }
                if map.contains_key("$ref")
                    || map.contains_key("allOf")
                    || map.contains_key("anyOf")
                {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                }
            }
            for child in map.values_mut() {
                to_json_schema(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

fn graph_validator(schema_name: &str) -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/fixtures/graph/graph-v1.0-teams-subset.slim.openapi.json"
    );
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut components = document["components"].clone();
    to_json_schema(&mut components);
    let schema =
        json!({ "$ref": format!("#/components/schemas/{schema_name}"), "components": components });
    jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .unwrap()
}

#[tokio::test]
async fn responses_validate_against_microsofts_graph_schemas() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let team_id = sandbox.world().lock().await.tenant.teams[0].id.clone();
    let chat_id = sandbox.world().lock().await.tenant.chats[0].id.clone();
    let sent: Value = client()
        .post(format!("{}/v1.0/chats/{chat_id}/messages", sandbox.url()))
        .bearer_auth(at)
        .json(&card_message("hello"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cases = [
        ("microsoft.graph.user", graph(&sandbox, at, "/me").await.1),
        (
            "microsoft.graph.userCollectionResponse",
            graph(&sandbox, at, "/users?$top=5").await.1,
        ),
        (
            "microsoft.graph.teamCollectionResponse",
            graph(&sandbox, at, "/me/joinedTeams").await.1,
        ),
        (
            "microsoft.graph.channelCollectionResponse",
            graph(&sandbox, at, &format!("/teams/{team_id}/channels"))
                .await
                .1,
        ),
        (
            "microsoft.graph.chatCollectionResponse",
            graph(&sandbox, at, "/me/chats?$expand=members").await.1,
        ),
        ("microsoft.graph.chatMessage", sent),
    ];
    for (name, instance) in cases {
        let validator = graph_validator(name);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{instance:#}");
    }
}
