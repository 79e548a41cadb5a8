//! The bot against things nobody here wrote: the Teams app package read by Python's zip reader
//! and validated with Microsoft's own manifest schema (npm `@microsoft/app-manifest`), and the
//! Bot Connector client against Microsoft's Agents Playground (npm
//! `@microsoft/m365agentsplayground`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use ox_teams_core::bot::BotSetupDraft;
use ox_teams_core::bot::connector::{BotIdentity, Connector, ConnectorError, card_activity};
use ox_teams_core::clock::SystemClock;
use ox_teams_core::compose::{Context, GRAPH_CARD_BUDGET, compose};
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::http::{HttpClient, HttpOptions, RetryPolicy};
use ox_teams_core::secrets::Secret;
use ox_teams_tests::{open_core, oracles_dir, sample_issue};
use serde_json::Value;

const APP_ID: &str = "5a3c8e2f-1b4d-4e6a-9c7b-2d8f0e1a3b4c";

fn validate(manifest: &Path) -> (bool, Value) {
    let output = Command::new("node")
        .arg(oracles_dir().join("validate-teams-manifest.mjs"))
        .arg(manifest)
        .output()
        .expect("node runs");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    (output.status.success(), report)
}

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba, "{}", path.display());
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

#[test]
fn the_app_package_passes_microsofts_manifest_schema_and_teams_icon_rules() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(core.bot().save_setup(BotSetupDraft {
            app_id: APP_ID.into(),
            tenant: "contoso.onmicrosoft.com".into(),
            secret: None,
        }))
        .unwrap();
    let zip = dir.path().join("package.zip");
    let saved = core.bot().save_package(&zip).unwrap();
    assert_eq!(saved.manifest_version, "1.30");

    // Python's zipfile, not ours, reads the archive.
    let out = dir.path().join("unzipped");
    let listing = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; \
             z.extractall(sys.argv[2]); print(' '.join(z.namelist()))",
        ])
        .arg(&zip)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        listing.status.success(),
        "{}",
        String::from_utf8_lossy(&listing.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&listing.stdout).trim(),
        "manifest.json color.png outline.png"
    );

    let (valid, report) = validate(&out.join("manifest.json"));
    assert!(valid, "{report}");
    assert!(
        report["schema"]
            .as_str()
            .unwrap()
            .ends_with("v1.30/MicrosoftTeams.schema.json")
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["id"], APP_ID);
    assert_eq!(manifest["bots"][0]["botId"], APP_ID);
    assert_eq!(
        manifest["bots"][0]["scopes"],
        serde_json::json!(["personal", "team", "groupChat"])
    );
    assert_eq!(manifest["webApplicationInfo"]["id"], APP_ID);
    assert!(!manifest["validDomains"].as_array().unwrap().is_empty());

    let (w, h, _) = decode(&out.join(manifest["icons"]["color"].as_str().unwrap()));
    assert_eq!((w, h), (192, 192), "the colour icon");
    let (w, h, pixels) = decode(&out.join(manifest["icons"]["outline"].as_str().unwrap()));
    assert_eq!((w, h), (32, 32), "the outline icon");
    let transparent = pixels.chunks_exact(4).filter(|p| p[3] == 0).count();
    assert!(transparent > 400, "a transparent background");
    assert!(
        pixels
            .chunks_exact(4)
            .filter(|p| p[3] > 0)
            .all(|p| p[..3] == [255, 255, 255]),
        "white strokes only"
    );

    // The oracle can fail: an unknown key and a v1.12-style scope are refused.
    let mut broken = manifest.clone();
    broken["fooBar"] = Value::Bool(true);
    broken["bots"][0]["scopes"] = serde_json::json!(["personal", "groupchat"]);
    let path = dir.path().join("broken.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let (valid, report) = validate(&path);
    assert!(!valid);
    let errors = report["errors"].to_string();
    assert!(errors.contains("fooBar"), "{errors}");
    assert!(errors.contains("groupChat"), "{errors}");
}

/// The Agents Playground on a free loopback port, stopped when dropped.
struct Playground {
    child: Child,
    base: String,
    recording: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Playground {
    fn start() -> Playground {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cli = oracles_dir().join("node_modules/@microsoft/m365agentsplayground/cli.js");
        assert!(
            cli.is_file(),
            "the oracles' npm packages are missing: run `make deps`"
        );
        let recording = dir.path().join("recording.log");
        let mut child = Command::new("node")
            .arg(cli)
            .args(["-c", "msteams", "--dt", "--er", "-p", &port.to_string()])
            .current_dir(dir.path())
            .env("TEAMSAPPTESTER_BROWSER", "none")
            .env(
                "M365_AGENTS_PLAYGROUND_CONFIG_PATH",
                oracles_dir().join("agents-playground.yml"),
            )
            .env(
                "M365_AGENTS_PLAYGROUND_LOGFILE",
                dir.path().join("playground.log"),
            )
            .env("M365_AGENTS_PLAYGROUND_RECORDING_FILE", &recording)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        // It may pick another port when ours was taken meanwhile: read the one it says.
        let port = line
            .trim()
            .strip_prefix("Listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the Playground: {line}"))
            .to_string();
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Playground {
            child,
            base: format!("http://127.0.0.1:{port}/_connector"),
            recording,
            _dir: dir,
        }
    }

    /// Every request the Playground recorded, in order.
    fn recorded(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.recording)
            .unwrap_or_default()
            .split("\n---\n")
            .filter(|part| !part.trim().is_empty())
            .map(|part| serde_json::from_str(part).unwrap())
            .collect()
    }
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn proactive_conversations_and_card_activities_succeed_against_microsofts_playground() {
    let playground = Playground::start();
    let http = HttpClient::new(
        &HttpOptions::default(),
        RetryPolicy::default(),
        Arc::new(SystemClock),
        Arc::new(OsEntropy),
    )
    .unwrap();
    let connector = Connector {
        http,
        service_url: playground.base.clone(),
        token: Secret::new("the-playground-checks-no-token"),
    };
    let bot = BotIdentity {
        app_id: APP_ID,
        name: "OX Security Alerts",
        tenant_id: "7f3e9c2a-1111-4d5e-8a9b-0c1d2e3f4a5b",
    };
    let issue = sample_issue("SQL injection in the login route");
    let composition = compose(
        &issue,
        &Context {
            comment: "Please patch before Friday",
            ..Context::default()
        },
        GRAPH_CARD_BUDGET,
    );
    let activity = card_activity(&composition.card, &composition.summary);

    let conversation = connector
        .personal_conversation(&bot, "29:1alice-aad-user")
        .await
        .unwrap();
    assert_eq!(conversation, "a:1ox-personal-alice");
    let sent = connector
        .send(&conversation, &activity)
        .await
        .unwrap()
        .unwrap();
    assert!(!sent.is_empty());
    // A living message: the card is replaced in place when the finding changes.
    connector
        .update(&conversation, &sent, &activity)
        .await
        .unwrap();

    let (thread, root) = connector
        .channel_thread(
            &bot,
            "19:ox-general@thread.tacv2",
            "19:ox-alerts@thread.tacv2",
            &activity,
        )
        .await
        .unwrap();
    assert!(
        thread.starts_with("19:ox-alerts@thread.tacv2;messageid="),
        "{thread}"
    );
    assert!(root.is_some());
    // A change is also a reply in the channel thread, so members are notified.
    let reply = connector.send(&thread, &activity).await.unwrap();
    assert!(reply.is_some_and(|id| !id.is_empty()));

    let missing = connector.send("a:nope", &activity).await.unwrap_err();
    assert!(
        matches!(&missing, ConnectorError::Refused { status: 404, code, .. } if code == "ConversationNotFound"),
        "{missing:?}"
    );

    let recorded = playground.recorded();
    let requests: Vec<(String, u64)> = recorded
        .iter()
        .map(|r| {
            (
                r["request"]["url"].as_str().unwrap_or_default().to_string(),
                r["response"]["statusCode"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        requests,
        [
            ("/_connector/v3/conversations".to_string(), 201),
            (
                "/_connector/v3/conversations/a:1ox-personal-alice/activities".to_string(),
                201
            ),
            (
                format!("/_connector/v3/conversations/a:1ox-personal-alice/activities/{sent}"),
                200
            ),
            ("/_connector/v3/conversations".to_string(), 201),
            (
                format!("/_connector/v3/conversations/{thread}/activities"),
                201
            ),
            (
                "/_connector/v3/conversations/a:nope/activities".to_string(),
                404
            ),
        ]
    );
    let card = &recorded[1]["request"]["body"]["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["version"], "1.5");
    assert!(
        card["content"]
            .to_string()
            .contains("Please patch before Friday")
    );
}
