//! `ox-teams-cli owners`: a person checking their CODEOWNERS sees the deciding line and owners
//! of each path, the lines GitHub would skip, and no data folder is needed.

use std::process::{Command, Output};

fn owners(args: &[&str]) -> Output {
    let nowhere = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        // A data folder that does not exist: the command must not need one.
        .env("OX_TEAMS_DATA_DIR", nowhere.path().join("never-created"))
        .arg("owners")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn prints_the_deciding_line_and_owners_of_each_path() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".github")).unwrap();
    std::fs::write(
        repo.path().join(".github/CODEOWNERS"),
        "* @acme/security\n/src/payments/ @acme/payments megan@contoso.com\n!vendor/ @x\n/src/payments/legacy/\n",
    )
    .unwrap();
    let absolute = repo.path().join("src/payments/charge.go");
    let output = owners(&[
        "src/payments/charge.go",
        "README.md",
        "src/payments/legacy/old.go",
        absolute.to_str().unwrap(),
        "--codeowners",
        repo.path().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(
            "src/payments/charge.go\n  Line 2: /src/payments/ @acme/payments megan@contoso.com\n  Owners: @acme/payments (GitHub team), megan@contoso.com (e-mail)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("README.md\n  Line 1: * @acme/security\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("src/payments/legacy/old.go\n  Line 4: /src/payments/legacy/ \n  That line names no owners, so it has none.\n"),
        "{stdout}"
    );
    // The absolute path inside the repository is the same file.
    assert_eq!(
        stdout.matches("src/payments/charge.go\n  Line 2").count(),
        2,
        "{stdout}"
    );
    assert!(
        text(&output.stderr).contains("line 3: GitHub does not support negation (!)"),
        "{}",
        text(&output.stderr)
    );

    let json = owners(&[
        "--json",
        "lib/x.rs",
        "--codeowners",
        repo.path().join(".github/CODEOWNERS").to_str().unwrap(),
    ]);
    assert!(json.status.success(), "{}", text(&json.stderr));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["paths"][0]["rule"]["line"], 1);
    assert_eq!(
        report["paths"][0]["rule"]["owners"][0],
        serde_json::json!({"kind": "github_team", "name": "acme/security"})
    );
    assert_eq!(report["skipped_lines"][0]["line"], 3);
}

#[test]
fn a_repository_without_codeowners_is_said_in_a_sentence() {
    let repo = tempfile::tempdir().unwrap();
    let output = owners(&["a.go", "--codeowners", repo.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains(
            "has no CODEOWNERS file: GitHub reads .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS."
        ),
        "{}",
        text(&output.stderr)
    );
}
