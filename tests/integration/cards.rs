//! Every card the composer makes validates against the Adaptive Card 1.5 schema and renders with
//! Microsoft's own renderer and the Teams host configs without a warning.

use std::process::Command;

use ox_teams_core::compose::{Composition, Context, GRAPH_CARD_BUDGET, compose, with_marker};
use ox_teams_core::issues::{Change, IssueState, Severity};
use ox_teams_tests::{fixtures_dir, oracles_dir, sample_issue};
use serde_json::Value;

fn compositions() -> Vec<(&'static str, Composition)> {
    let plain = sample_issue("SQL injection in the login route");
    let mut long = sample_issue(&"Very long title about an injection ".repeat(200));
    long.description = "Details. ".repeat(3000);
    let five_kb = "Please look at this before the release. ".repeat(128);
    let mut quiet = sample_issue("Informational: outdated comment");
    quiet.severity = Severity::Info;
    quiet.score = None;
    quiet.help_uri = None;
    quiet.path = None;
    quiet.revision = 3;
    let mut fixed = sample_issue("SQL injection in the login route");
    fixed.state = IssueState::Fixed;
    fixed.state_changed_at = Some(chrono::Utc::now());
    let mut reopened = sample_issue("SQL injection in the login route");
    reopened.change = Change::Reopened;
    reopened.revision = 2;
    vec![
        (
            "plain",
            compose(
                &plain,
                &Context {
                    comment: "Can someone take this today?",
                    author: Some("Megan Bowen"),
                    ..Context::default()
                },
                GRAPH_CARD_BUDGET,
            ),
        ),
        (
            "5 KB comment, long title",
            compose(
                &long,
                &Context {
                    comment: &five_kb,
                    ..Context::default()
                },
                GRAPH_CARD_BUDGET,
            ),
        ),
        (
            "markup typed by a person",
            compose(
                &plain,
                &Context {
                    comment: "**urgent** [click](https://evil.test) <b>x</b> {{DATE(2020-01-01T00:00:00Z)}}",
                    ..Context::default()
                },
                GRAPH_CARD_BUDGET,
            ),
        ),
        ("no score, no help, no location, from a workflow", {
            let mut composition = compose(
                &quiet,
                &Context {
                    workflow_link: Some(("Nightly digest", "ox-teams://workflows/wf-1")),
                    ..Context::default()
                },
                GRAPH_CARD_BUDGET,
            );
            // As sent: the Open link names the delivery.
            composition.card = with_marker(&composition.card, "d-42");
            composition
        }),
        (
            "fixed",
            compose(&fixed, &Context::default(), GRAPH_CARD_BUDGET),
        ),
        (
            "reopened",
            compose(&reopened, &Context::default(), GRAPH_CARD_BUDGET),
        ),
    ]
}

#[test]
fn cards_validate_against_the_adaptive_card_1_5_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures_dir().join("adaptivecards/adaptive-card-1.5.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .unwrap();
    for (name, composition) in compositions() {
        let errors: Vec<String> = validator
            .iter_errors(&composition.card)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        assert!(
            composition.size_bytes as usize <= GRAPH_CARD_BUDGET,
            "{name}: {} bytes",
            composition.size_bytes
        );
    }
    // The schema check can fail: a card with an unknown element is refused.
    let broken = serde_json::json!({ "type": "AdaptiveCard", "version": "1.5", "body": [{ "type": "Blink", "text": "x" }] });
    assert!(!validator.is_valid(&broken));
}

#[test]
fn cards_render_with_microsofts_renderer_in_teams_light_and_dark_without_warnings() {
    assert!(
        oracles_dir().join("node_modules/adaptivecards").is_dir(),
        "run `make deps` (npm --prefix tests/oracles ci)"
    );
    let dir = tempfile::tempdir().unwrap();
    let cases = compositions();
    let files: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, c))| {
            let path = dir.path().join(format!("card-{i}.json"));
            std::fs::write(&path, c.card.to_string()).unwrap();
            path.display().to_string()
        })
        .collect();
    for theme in ["light", "dark"] {
        let output = Command::new("node")
            .arg(oracles_dir().join("render-cards.mjs"))
            .arg(fixtures_dir().join(format!("adaptivecards/microsoft-teams-{theme}.json")))
            .args(&files)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        for ((name, composition), result) in cases.iter().zip(&results) {
            assert_eq!(
                result["parse"],
                serde_json::json!([]),
                "{theme} {name}: parse messages"
            );
            assert_eq!(
                result["validation"],
                serde_json::json!([]),
                "{theme} {name}: validation messages"
            );
            assert_eq!(result["rendered"], true, "{theme} {name}");
            let text = result["text"].as_str().unwrap();
            // The title closes the header (a state line and the severity come before it).
            let title = composition.card["body"][0]["items"]
                .as_array()
                .and_then(|items| items.last())
                .and_then(|item| item["text"].as_str())
                .unwrap();
            assert!(
                text.contains(&title.chars().take(30).collect::<String>()),
                "{theme} {name}: {text}"
            );
            assert!(result["actions"].as_u64().unwrap() >= 1);
        }
        // What a person typed is shown as typed, not as markup.
        let typed = results[2]["text"].as_str().unwrap();
        assert!(
            typed.contains("**urgent**")
                && typed.contains("[click](https://evil.test)")
                && typed.contains("<b>x</b>"),
            "{typed}"
        );
    }
}
