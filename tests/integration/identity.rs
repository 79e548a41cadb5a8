//! Connecting with the Identity provider, end to end through the core against the sandbox:
//! sign-in in a (headless) browser, tokens that stay fresh, a lost grant, and the permissions.

use std::sync::Arc;
use std::time::Duration;

use ox_teams_core::auth::{ConnectionState, REFRESH_TOKEN_SECRET, TenantRecords};
use ox_teams_core::secrets::SecretStore;
use ox_teams_core::{Error, ErrorCode};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{core_against, sign_in_as};

const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const ADMIN: &str = "megan.bowen@contoso.onmicrosoft.com";
const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap()
}

fn code(error: &Error) -> ErrorCode {
    error.code()
}

async fn token_requests(sandbox: &Sandbox) -> usize {
    let world = sandbox.world().lock().await;
    world
        .log
        .iter()
        .filter(|r| r.path.ends_with("/oauth2/v2.0/token"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn connects_as_the_person_who_signed_in_with_all_nine_permissions() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    let state = sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap();
    let ConnectionState::Connected { account } = state else {
        panic!("{state:?}")
    };
    assert_eq!(account.name, "Megan Bowen");
    assert_eq!(account.mail, ADMIN);
    assert_eq!(account.tenant_id, sandbox.world().lock().await.tenant.id);
    assert!(!account.settings_changed);
    assert!(
        t.secrets.get(REFRESH_TOKEN_SECRET).unwrap().is_some(),
        "the refresh token is in the keychain"
    );

    let report = t.core.auth().permissions().await.unwrap();
    assert!(report.connected);
    assert_eq!(report.permissions.len(), 9);
    assert!(
        report.permissions.iter().all(|p| p.granted == Some(true)),
        "{:?}",
        report.permissions
    );
    assert!(report.missing.is_empty());
    // An ordinary connection cannot read the tenant's records, and the report says why.
    match report.tenant_records {
        TenantRecords::Unavailable { reason } => {
            assert!(reason.contains("Application.Read.All"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        report.admin_center_url, None,
        "a custom cloud has no admin center"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_renewed_ahead_of_expiry_once_however_many_callers_wait() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap();
    let first_refresh = t.secrets.get(REFRESH_TOKEN_SECRET).unwrap().unwrap();
    let before = token_requests(&sandbox).await;
    let token = t.core.auth().access_token().await.unwrap();
    assert_eq!(
        token_requests(&sandbox).await,
        before,
        "a fresh token is reused"
    );

    // 86 minutes later every access token (60 to 90 minutes) is within five minutes of expiry.
    t.clock.advance(Duration::from_secs(86 * 60));
    let core = Arc::new(t.core);
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let core = core.clone();
            tokio::spawn(async move {
                core.auth()
                    .access_token()
                    .await
                    .unwrap()
                    .expose()
                    .to_string()
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.unwrap());
    }
    assert_eq!(
        token_requests(&sandbox).await,
        before + 1,
        "one renewal for twenty callers"
    );
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_ne!(tokens[0], token.expose());
    let rotated = t.secrets.get(REFRESH_TOKEN_SECRET).unwrap().unwrap();
    assert_ne!(
        rotated.expose(),
        first_refresh.expose(),
        "the rotated refresh token replaced the old one"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_grant_means_reconnect_with_the_reason() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap();
    reqwest::Client::new()
        .post(format!("{}/_sandbox/users/{ADMIN}/revoke", sandbox.url()))
        .send()
        .await
        .unwrap();
    let state = t.core.auth().check().await.unwrap();
    match state {
        ConnectionState::ReconnectNeeded {
            code,
            reason,
            account,
            ..
        } => {
            assert_eq!(code, ErrorCode::GrantExpired);
            assert!(reason.contains("revoked"), "{reason}");
            assert_eq!(account.name, "Megan Bowen");
        }
        other => panic!("{other:?}"),
    }
    // It stays so without hammering Microsoft, until the person reconnects.
    let before = token_requests(&sandbox).await;
    assert_eq!(
        code(&t.core.auth().access_token().await.unwrap_err()),
        ErrorCode::GrantExpired
    );
    assert_eq!(token_requests(&sandbox).await, before);
    let state = sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap();
    assert!(matches!(state, ConnectionState::Connected { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn declining_consent_says_so_and_connects_nothing() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    let error = sign_in_as(&t.core, ADELE, Decision::Decline, None)
        .await
        .unwrap_err();
    assert_eq!(code(&error), ErrorCode::ConsentDeclined);
    assert!(error.to_string().contains("declined"), "{error}");
    assert_eq!(
        t.core.auth().state().unwrap(),
        ConnectionState::NotConnected
    );
    assert!(t.secrets.names().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_who_may_not_grant_admin_permissions_is_told_who_can() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    let error = sign_in_as(&t.core, ADELE, Decision::Accept, None)
        .await
        .unwrap_err();
    assert_eq!(code(&error), ErrorCode::AdminConsentRequired);
    assert!(
        error
            .to_string()
            .contains("Team.ReadBasic.All and User.Read.All"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_permissions_can_be_asked_for_alone() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(
        &t.core,
        ADELE,
        Decision::Accept,
        Some(vec!["User.Read".into(), "Chat.ReadWrite".into()]),
    )
    .await
    .unwrap();
    let report = t.core.auth().permissions().await.unwrap();
    let mut missing = report.missing.clone();
    missing.sort();
    assert_eq!(
        missing,
        [
            "Channel.ReadBasic.All",
            "ChannelMessage.Send",
            "Chat.Create",
            "Team.ReadBasic.All",
            "User.Read.All"
        ]
    );
    // The admin grants the organisation, then Adele asks for just what is missing.
    let admin = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&admin.core, ADMIN, Decision::AcceptForOrganization, None)
        .await
        .unwrap();
    sign_in_as(&t.core, ADELE, Decision::Accept, Some(missing))
        .await
        .unwrap();
    let report = t.core.auth().permissions().await.unwrap();
    assert!(report.missing.is_empty(), "{:?}", report.missing);
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_forgets_the_tokens_and_the_profile() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap();
    t.core.auth().disconnect().await.unwrap();
    assert!(t.secrets.names().is_empty());
    assert_eq!(
        t.core.auth().state().unwrap(),
        ConnectionState::NotConnected
    );
    assert_eq!(
        code(&t.core.auth().access_token().await.unwrap_err()),
        ErrorCode::NotConnected
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_client_id_means_no_sign_in() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", "");
    let error = sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap_err();
    assert_eq!(code(&error), ErrorCode::NotConfigured);
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_tenant_after_connecting_is_flagged_not_silently_applied() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap();
    t.core
        .set_setting(ox_teams_core::settings::SettingKey::Tenant, "organizations")
        .unwrap();
    let ConnectionState::Connected { account } = t.core.auth().state().unwrap() else {
        panic!()
    };
    assert!(account.settings_changed);
    // The connection keeps working with what it was made with.
    assert!(matches!(
        t.core.auth().check().await.unwrap(),
        ConnectionState::Connected { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keychain_without_the_token_says_so_to_its_own_process_only() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&t.core, ADMIN, Decision::Accept, None)
        .await
        .unwrap();
    // A second process on the same data folder whose keychain (another session's) is empty.
    let other = ox_teams_core::Core::open(ox_teams_core::CoreOptions {
        data_dir: t.dir.path().to_path_buf(),
        secrets: Arc::new(ox_teams_core::secrets::MemoryStore::new()),
        clock: t.clock.clone(),
        entropy: Arc::new(ox_teams_core::entropy::OsEntropy),
        search_path: Some(std::ffi::OsString::new()),
        http: Default::default(),
    })
    .unwrap();
    let error = other.auth().access_token().await.unwrap_err();
    assert_eq!(code(&error), ErrorCode::SecretMissing);
    assert!(error.to_string().contains("Reconnect here"), "{error}");
    match other.auth().check().await.unwrap() {
        ConnectionState::ReconnectNeeded { code, .. } => assert_eq!(code, ErrorCode::SecretMissing),
        state => panic!("{state:?}"),
    }
    // The first process, whose keychain holds the token, stays connected and keeps working.
    assert!(matches!(
        t.core.auth().state().unwrap(),
        ConnectionState::Connected { .. }
    ));
    t.clock.advance(Duration::from_secs(86 * 60));
    t.core.auth().access_token().await.unwrap();
    assert!(matches!(
        t.core.auth().check().await.unwrap(),
        ConnectionState::Connected { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_in_memory_is_never_used_after_another_process_connected_someone_else() {
    let sandbox = sandbox().await;
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&t.core, ADMIN, Decision::AcceptForOrganization, None)
        .await
        .unwrap();
    let me = |token: String| {
        let url = format!("{}/v1.0/me", sandbox.url());
        async move {
            let answer: serde_json::Value = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["userPrincipalName"].as_str().unwrap().to_string()
        }
    };
    let megans = t.core.auth().access_token().await.unwrap();
    assert_eq!(me(megans.expose().to_string()).await, ADMIN);
    // The CLI, on the same data folder and keychain, connects Adele.
    let cli = ox_teams_tests::open_core_with(t.dir.path(), t.secrets.clone());
    sign_in_as(&cli, ADELE, Decision::Accept, None)
        .await
        .unwrap();
    // The app's next call goes out as Adele, not with Megan's token still in its memory.
    let next = t.core.auth().access_token().await.unwrap();
    assert_ne!(next.expose(), megans.expose());
    assert_eq!(me(next.expose().to_string()).await, ADELE);
}
