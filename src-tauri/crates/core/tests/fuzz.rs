//! Fuzz-style properties on stable Rust (proptest): whatever a report, a link or an issue's
//! text holds, the importers, the deep-link parser, the card composer and the path matcher
//! answer (no panic), in bounded time, and the card stays within the transport's limit.
//! `make test` runs a fixed number of cases; `make fuzz` runs many more
//! (`PROPTEST_CASES=20000`).

use chrono::Utc;
use ox_teams_core::compose::{Context, DIGEST_ITEMS, GRAPH_CARD_BUDGET, compose, digest};
use ox_teams_core::issues::{CancelFlag, Change, Issue, IssueState, Severity, parse_findings};
use ox_teams_core::links::parse_link;
use ox_teams_core::workflows::glob_matches;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Any JSON value, a few levels deep, with the keys SARIF readers look for among others.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("runs".to_string()),
        Just("results".to_string()),
        Just("tool".to_string()),
        Just("driver".to_string()),
        Just("rules".to_string()),
        Just("ruleId".to_string()),
        Just("message".to_string()),
        Just("text".to_string()),
        Just("locations".to_string()),
        Just("physicalLocation".to_string()),
        Just("artifactLocation".to_string()),
        Just("uri".to_string()),
        Just("region".to_string()),
        Just("startLine".to_string()),
        Just("level".to_string()),
        Just("properties".to_string()),
        Just("security-severity".to_string()),
        Just("fingerprints".to_string()),
        Just("suppressions".to_string()),
        Just("issues".to_string()),
        Just("severity".to_string()),
        "[a-z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 200, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn read(bytes: &[u8]) {
    let _ = parse_findings(
        bytes,
        "fuzz.sarif",
        "fuzz.sarif",
        Utc::now(),
        &mut |_| {},
        &CancelFlag::default(),
    );
}

fn issue(title: String, description: String, path: String) -> Issue {
    Issue {
        id: "fuzz".into(),
        title,
        severity: Severity::High,
        score: None,
        tool: "Fuzz".into(),
        rule_id: "r".into(),
        rule_name: None,
        path: Some(path),
        line: Some(1),
        column: None,
        help_uri: None,
        link: None,
        description,
        tags: vec![],
        revision: 1,
        change: Change::New,
        first_seen: Utc::now(),
        last_seen: Utc::now(),
        source: "fuzz.sarif".into(),
        scope: "Fuzz · fuzz.sarif".into(),
        state: IssueState::Open,
        state_changed_at: None,
        fixed_by: None,
        acknowledged_at: None,
        acknowledged_by: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn the_sarif_reader_answers_any_run_it_is_given(runs in prop::collection::vec(json_value(), 0..4)) {
        let report = json!({ "version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": runs });
        read(report.to_string().as_bytes());
    }

    #[test]
    fn the_json_reader_answers_any_issue_list(issues in prop::collection::vec(json_value(), 0..4)) {
        read(json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string().as_bytes());
    }

    #[test]
    fn the_readers_answer_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        read(&bytes);
    }

    #[test]
    fn a_deep_link_is_parsed_or_refused(link in "(ox-teams://)?[a-z/%?=&.0-9A-F-]{0,80}") {
        let _ = parse_link(&link);
    }

    #[test]
    fn any_issue_text_makes_a_card_within_the_limit(
        title in ".{0,3000}",
        description in ".{0,40000}",
        comment in ".{0,6000}",
        path in ".{0,500}",
    ) {
        let composed = compose(
            &issue(title, description, path),
            &Context { comment: &comment, author: Some("Megan Bowen"), workflow_link: None },
            GRAPH_CARD_BUDGET,
        );
        prop_assert!(composed.size_bytes as usize <= GRAPH_CARD_BUDGET, "{} bytes", composed.size_bytes);
        prop_assert_eq!(composed.card["type"].as_str(), Some("AdaptiveCard"));
    }

    #[test]
    fn any_issues_make_a_digest_within_the_limit(
        texts in prop::collection::vec((".{0,400}", ".{0,300}", ".{0,600}"), 1..30),
        name in ".{0,300}",
        comment in ".{0,3000}",
    ) {
        let issues: Vec<Issue> = texts
            .into_iter()
            .map(|(title, tool, path)| Issue { tool, ..issue(title, String::new(), path) })
            .collect();
        let total = issues.len() + 100;
        let composed = digest(&name, "ox-teams://workflows/w", &comment, &issues, total, GRAPH_CARD_BUDGET);
        prop_assert!(composed.size_bytes as usize <= GRAPH_CARD_BUDGET, "{} bytes", composed.size_bytes);
        prop_assert!(composed.card["body"].as_array().unwrap().len() <= DIGEST_ITEMS + 4);
        prop_assert!(!composed.trimmed.is_empty(), "the rest are counted");
    }

    #[test]
    fn a_path_pattern_answers_at_once_however_many_stars(
        pattern in "[*?/a.]{0,40}",
        path in "[a/.]{0,300}",
    ) {
        let _ = glob_matches(&pattern, &path);
    }

    #[test]
    fn a_pattern_without_wildcards_matches_exactly_itself(path in "[a-z]{1,8}(/[a-z]{1,8}){1,4}") {
        prop_assert!(glob_matches(&path, &path));
        let other = format!("{path}x");
        prop_assert!(!glob_matches(&path, &other));
    }
}
