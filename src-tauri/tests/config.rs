//! The shell's security configuration, read from the files Tauri builds from: the window may call
//! the app's own commands and nothing else, under a strict content security policy.

use std::collections::BTreeSet;

use serde_json::Value;

fn read_json(path: &str) -> Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

/// The shell's command modules (build.rs's `COMMAND_MODULES`).
const COMMAND_MODULES: [&str; 3] = ["commands", "owner_commands", "workflow_commands"];

/// Every `#[tauri::command]` in the command modules (what the window may call), with its
/// module.
fn registered() -> BTreeSet<(String, &'static str)> {
    let mut found = BTreeSet::new();
    for module in COMMAND_MODULES {
        let path = format!("{}/src/{module}.rs", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(path).unwrap();
        for rest in source.split("#[tauri::command]").skip(1) {
            let after = rest.split("fn ").nth(1).unwrap();
            found.insert((after.split('(').next().unwrap().trim().to_string(), module));
        }
    }
    found
}

fn registered_commands() -> BTreeSet<String> {
    registered().into_iter().map(|(name, _)| name).collect()
}

#[test]
fn the_window_may_call_exactly_the_apps_own_commands() {
    let capability = read_json("capabilities/main.json");
    let permissions: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("plain permission names").to_string())
        .collect();
    let own: BTreeSet<String> = registered_commands()
        .iter()
        .map(|command| format!("allow-{}", command.replace('_', "-")))
        .collect();
    let plugin: BTreeSet<&str> = permissions
        .iter()
        .map(String::as_str)
        .filter(|p| p.contains(':'))
        .collect();
    assert_eq!(
        plugin,
        BTreeSet::from(["core:event:allow-listen", "core:event:allow-unlisten"])
    );
    let granted: BTreeSet<String> = permissions
        .into_iter()
        .filter(|p| !p.contains(':'))
        .collect();
    assert_eq!(granted, own, "every command granted, nothing else");
    assert!(own.len() > 40, "{own:?}");
    let handler = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/handler.rs")).unwrap();
    for (command, module) in registered() {
        assert!(
            handler.contains(&format!("crate::{module}::{command}")),
            "{command} is not in the invoke handler"
        );
    }
}

#[test]
fn the_content_security_policy_is_strict() {
    let config = read_json("tauri.conf.json");
    let csp = &config["app"]["security"]["csp"];
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'", "no inline or eval'd scripts");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["frame-src"], "'none'");
    let connect = csp["connect-src"].as_str().unwrap();
    assert!(
        !connect.contains("http:")
            || connect
                .split(' ')
                .all(|s| s == "ipc:" || s == "http://ipc.localhost"),
        "{connect}"
    );
    assert_eq!(config["app"]["withGlobalTauri"], false);
}

#[test]
fn links_and_packages_are_configured() {
    let config = read_json("tauri.conf.json");
    assert_eq!(
        config["plugins"]["deep-link"]["desktop"]["schemes"][0],
        "ox-teams"
    );
    let targets: Vec<&str> = config["bundle"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(targets.contains(&"deb") && targets.contains(&"rpm"));
    assert!(
        !targets.contains(&"appimage"),
        "AppImage bundling downloads tools at build time"
    );
    assert_eq!(
        config["identifier"],
        ox_teams_core::paths::APP_IDENTIFIER,
        "the CLI finds the app's data folder by this name"
    );
}
