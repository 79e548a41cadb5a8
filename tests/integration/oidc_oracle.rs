//! The same scripted sign-in scenarios against the sandbox and against panva's oidc-provider (an
//! OpenID-certified server nobody here wrote). Both must agree on what succeeds and what fails,
//! so the sandbox does not teach the app a protocol of its own.

use base64::Engine;
use reqwest::Client;
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::{Browser, Decision};
use ox_teams_tests::oracles::NodeOracle;

const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const REDIRECT: &str = "http://localhost:53123/";
const SCOPES: &str = "openid offline_access User.Read Chat.ReadWrite";

struct Provider {
    name: &'static str,
    base: String,
    user: String,
}

impl Provider {
    fn authorize(&self, challenge: &str) -> String {
        let mut url = Url::parse(&format!(
            "{}/organizations/oauth2/v2.0/authorize",
            self.base
        ))
        .unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", CLIENT_ID)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", SCOPES)
            .append_pair("state", "scenario-state")
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        url.to_string()
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<Value, String> {
        let response = Client::new()
            .post(format!("{}/organizations/oauth2/v2.0/token", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        if status.is_success() {
            Ok(body)
        } else {
            Err(body["error"].as_str().unwrap_or("?").to_string())
        }
    }

    async fn code(&self, challenge: &str, decision: Decision) -> Vec<(String, String)> {
        Browser::default()
            .sign_in(&self.authorize(challenge), REDIRECT, &self.user, decision)
            .await
    }

    async fn redeem(&self, code: &str, verifier: &str) -> Result<Value, String> {
        self.token(&[
            ("client_id", CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Value, String> {
        self.token(&[
            ("client_id", CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }
}

fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("{seed}-{}", "v".repeat(50));
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn query<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// What happened in a scenario, in words both providers can be compared by.
async fn run(provider: &Provider, scenario: &str) -> Vec<String> {
    let (verifier, challenge) = pkce(scenario);
    let mut outcome = Vec::new();
    match scenario {
        "sign-in" => {
            let back = provider.code(&challenge, Decision::Accept).await;
            outcome.push(format!(
                "state returned: {}",
                query(&back, "state") == Some("scenario-state")
            ));
            let tokens = provider
                .redeem(query(&back, "code").unwrap(), &verifier)
                .await
                .unwrap();
            outcome.push(format!(
                "access token: {}",
                tokens["access_token"].is_string()
            ));
            outcome.push(format!(
                "refresh token: {}",
                tokens["refresh_token"].is_string()
            ));
            outcome.push(format!("id token: {}", tokens["id_token"].is_string()));
        }
        "pkce-mismatch" => {
            let back = provider.code(&challenge, Decision::Accept).await;
            let (other, _) = pkce("someone-else");
            outcome.push(format!(
                "{:?}",
                provider
                    .redeem(query(&back, "code").unwrap(), &other)
                    .await
                    .map(|_| "tokens")
            ));
        }
        "code-replay" => {
            let back = provider.code(&challenge, Decision::Accept).await;
            let code = query(&back, "code").unwrap();
            outcome.push(format!(
                "first: {:?}",
                provider.redeem(code, &verifier).await.map(|_| "tokens")
            ));
            outcome.push(format!(
                "second: {:?}",
                provider.redeem(code, &verifier).await.map(|_| "tokens")
            ));
        }
        "refresh-rotation" => {
            let back = provider.code(&challenge, Decision::Accept).await;
            let first = provider
                .redeem(query(&back, "code").unwrap(), &verifier)
                .await
                .unwrap();
            let rt1 = first["refresh_token"].as_str().unwrap().to_string();
            let second = provider.refresh(&rt1).await.unwrap();
            let rt2 = second["refresh_token"].as_str().unwrap().to_string();
            outcome.push(format!("rotated: {}", rt1 != rt2));
            outcome.push(format!(
                "new token works: {:?}",
                provider.refresh(&rt2).await.map(|_| "tokens")
            ));
            outcome.push(format!(
                "made-up token: {:?}",
                provider
                    .refresh("not-a-refresh-token")
                    .await
                    .map(|_| "tokens")
            ));
        }
        "declined-consent" => {
            let back = provider.code(&challenge, Decision::Decline).await;
            outcome.push(format!("error: {:?}", query(&back, "error")));
            outcome.push(format!("code: {}", query(&back, "code").is_some()));
            outcome.push(format!(
                "state returned: {}",
                query(&back, "state") == Some("scenario-state")
            ));
        }
        _ => unreachable!(),
    }
    outcome
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_and_oidc_provider_agree_on_every_sign_in_scenario() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let oracle = NodeOracle::start("oidc-provider.mjs", &[CLIENT_ID]);
    let providers = [
        Provider {
            name: "sandbox",
            base: sandbox.url().to_string(),
            user: "megan.bowen@contoso.onmicrosoft.com".into(),
        },
        Provider {
            name: "oidc-provider",
            base: oracle.url.clone(),
            user: "megan".into(),
        },
    ];
    for scenario in [
        "sign-in",
        "pkce-mismatch",
        "code-replay",
        "refresh-rotation",
        "declined-consent",
    ] {
        let sandbox_outcome = run(&providers[0], scenario).await;
        let oracle_outcome = run(&providers[1], scenario).await;
        println!(
            "{scenario:>18}: {} {sandbox_outcome:?} | {} {oracle_outcome:?}",
            providers[0].name, providers[1].name
        );
        assert_eq!(
            sandbox_outcome, oracle_outcome,
            "{scenario}: the sandbox and oidc-provider disagree"
        );
    }
}

/// A stand-in for Graph's `/me` that accepts any bearer token: the oracle issues the tokens.
async fn fake_graph() -> String {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/v1.0/me",
        get(|headers: axum::http::HeaderMap| async move {
            let authorized = headers.get("authorization").is_some_and(|v| v.to_str().unwrap_or_default().starts_with("Bearer "));
            if authorized {
                (axum::http::StatusCode::OK, axum::Json(serde_json::json!({ "id": "oid-megan", "displayName": "Megan", "mail": "megan@example.test" })))
            } else {
                (axum::http::StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({ "error": { "code": "InvalidAuthenticationToken", "message": "no token" } })))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cores_sign_in_renewal_and_rotation_work_against_oidc_provider() {
    use ox_teams_core::auth::{ConnectionState, REFRESH_TOKEN_SECRET};
    use ox_teams_core::secrets::SecretStore;

    let graph = fake_graph().await;
    let oracle = NodeOracle::start("oidc-provider.mjs", &[CLIENT_ID, &graph]);
    let t = ox_teams_tests::core_against(&oracle.url, "organizations", CLIENT_ID);
    t.core
        .set_setting(ox_teams_core::settings::SettingKey::GraphUrl, &graph)
        .unwrap();

    let state = ox_teams_tests::sign_in_as(&t.core, "megan", Decision::Accept, None)
        .await
        .unwrap();
    assert!(
        matches!(state, ConnectionState::Connected { .. }),
        "{state:?}"
    );
    let first = t.secrets.get(REFRESH_TOKEN_SECRET).unwrap().unwrap();
    let token = t.core.auth().access_token().await.unwrap();

    t.clock.advance(std::time::Duration::from_secs(2 * 3600));
    let renewed = t.core.auth().access_token().await.unwrap();
    assert_ne!(renewed.expose(), token.expose(), "a new access token");
    let rotated = t.secrets.get(REFRESH_TOKEN_SECRET).unwrap().unwrap();
    assert_ne!(
        rotated.expose(),
        first.expose(),
        "oidc-provider rotated the refresh token and the core kept the new one"
    );

    // And the rotated one works in turn (oidc-provider revokes the whole grant if an old one is
    // replayed, so the core must never use the old one again).
    t.clock.advance(std::time::Duration::from_secs(2 * 3600));
    t.core.auth().access_token().await.unwrap();
    assert!(matches!(
        t.core.auth().check().await.unwrap(),
        ConnectionState::Connected { .. }
    ));
}
