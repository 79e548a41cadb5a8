//! What the sandbox's tests share: a sandbox on a free port, a client that does not follow
//! redirects, and a person signing in through the sandbox's own pages.

// Each test file uses some of these.
#![allow(dead_code, unused_imports)]

pub use base64::Engine;
pub use reqwest::{Client, StatusCode, redirect};
pub use serde_json::{Value, json};
pub use sha2::{Digest, Sha256};
pub use url::Url;

pub use ox_teams_sandbox::tenant;
pub use ox_teams_sandbox::{Sandbox, SandboxOptions};

pub const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
pub const REDIRECT: &str = "http://localhost:53123/";
pub const ADMIN: &str = "megan.bowen@contoso.onmicrosoft.com";
pub const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";
pub const SEED_SCOPES: &str = "openid profile offline_access User.Read User.Read.All Team.ReadBasic.All Channel.ReadBasic.All ChannelMessage.Send Chat.Create Chat.ReadWrite";

pub async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap()
}

pub fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn pkce() -> (String, String) {
    let verifier = "x".repeat(20) + "-verifier-of-sufficient-length-for-pkce";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub fn authorize_url(base: &str, scope: &str, challenge: &str) -> String {
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
pub async fn sign_in(
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

pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub async fn token(base: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{base}/organizations/oauth2/v2.0/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// A signed-in admin's tokens for the seed's scopes.
pub async fn admin_tokens(base: &str) -> Value {
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

pub async fn graph(sandbox: &Sandbox, at: &str, path: &str) -> (StatusCode, Value) {
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
