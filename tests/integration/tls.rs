//! TLS through the operating system's trust store: a private cloud (the sandbox over HTTPS)
//! whose certificate authority only `SSL_CERT_FILE` knows. With that file the whole sign-in and
//! Graph work; with another authority's file the app refuses the server and says why, without
//! sending the bot's secret.
//!
//! The trust store is read when the HTTP client is built, from the environment, so each case runs
//! in a child process of this test binary (`unsafe_code` is forbidden, so the variable cannot be
//! set in this process).

use std::path::Path;
use std::process::Command;

use ox_teams_core::ErrorCode;
use ox_teams_core::auth::ConnectionState;
use ox_teams_core::bot::BotSetupDraft;
use ox_teams_core::directory::Freshness;
use ox_teams_core::secrets::Secret;
use ox_teams_sandbox::tenant::{DEFAULT_BOT_APP_ID, DEFAULT_BOT_SECRET};
use ox_teams_sandbox::tls::TlsIdentity;
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{core_against, sign_in_as};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const ADMIN: &str = "megan.bowen@contoso.onmicrosoft.com";
/// Where the parent left the certificates, and what the child should find.
const DIR_ENV: &str = "OX_TEAMS_TLS_TEST_DIR";
const EXPECT_ENV: &str = "OX_TEAMS_TLS_TEST_EXPECT";

/// A certificate authority: its PEM, and what signs with it.
fn authority(name: &str) -> (String, rcgen::Certificate, KeyPair) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let certificate = params.self_signed(&key).unwrap();
    (certificate.pem(), certificate, key)
}

#[test]
fn a_private_cloud_on_a_private_authority_works_when_the_trust_store_knows_it() {
    let dir = tempfile::tempdir().unwrap();
    let (private_ca, ca_certificate, ca_key) = authority("Contoso private cloud CA");
    let (other_ca, _, _) = authority("Some other CA");
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca_certificate, &ca_key)
        .unwrap();
    std::fs::write(dir.path().join("server.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), leaf_key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("private-ca.pem"), private_ca).unwrap();
    std::fs::write(dir.path().join("other-ca.pem"), other_ca).unwrap();

    for (trust, expect) in [("other-ca.pem", "refused"), ("private-ca.pem", "trusted")] {
        let output = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SSL_CERT_FILE", dir.path().join(trust))
            .env_remove("SSL_CERT_DIR")
            .env(DIR_ENV, dir.path())
            .env(EXPECT_ENV, expect)
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && printed.contains(&format!("tls case {expect}: ok")),
            "trusting {trust}:\n{printed}"
        );
    }
}

/// Runs only as the child of the test above (which sets the environment); passes trivially
/// otherwise.
#[tokio::test(flavor = "multi_thread")]
async fn child_process() {
    let (Some(dir), Ok(expect)) = (std::env::var_os(DIR_ENV), std::env::var(EXPECT_ENV)) else {
        return;
    };
    let dir = Path::new(&dir);
    let identity = TlsIdentity {
        cert_chain_pem: std::fs::read_to_string(dir.join("server.pem")).unwrap(),
        key_pem: std::fs::read_to_string(dir.join("server.key")).unwrap(),
    };
    let sandbox = Sandbox::start_tls(SandboxOptions::new(tenant::small(1)), &identity)
        .await
        .unwrap();
    assert!(sandbox.url().starts_with("https://127.0.0.1:"));
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    let tenant_id = sandbox.world().lock().await.tenant.id.clone();
    t.core
        .bot()
        .save_setup(BotSetupDraft {
            app_id: DEFAULT_BOT_APP_ID.into(),
            tenant: tenant_id,
            secret: Some(Secret::new(DEFAULT_BOT_SECRET)),
        })
        .await
        .unwrap();
    if expect == "refused" {
        let refused = t.core.bot().verify(None).await.unwrap_err();
        assert_eq!(refused.code(), ErrorCode::Network);
        let message = refused.to_string();
        assert!(
            message.contains("not trusted by this computer"),
            "{message}"
        );
        assert!(
            message.contains("issued by an authority this computer does not know"),
            "{message}"
        );
        assert!(message.contains("SSL_CERT_FILE"), "{message}");
        assert!(!message.contains(DEFAULT_BOT_SECRET));
        let world = sandbox.world().lock().await;
        assert!(
            world.log.iter().all(|r| !r.path.contains("/token")),
            "no request got through the handshake"
        );
    } else {
        let state = sign_in_as(&t.core, ADMIN, Decision::Accept, None)
            .await
            .unwrap();
        assert!(
            matches!(state, ConnectionState::Connected { .. }),
            "{state:?}"
        );
        let teams = t.core.directory().teams(Freshness::Recent).await.unwrap();
        assert!(!teams.items.is_empty());
    }
    println!("tls case {expect}: ok");
}
