//! `ox-teams-cli owners`: who a CODEOWNERS file makes the owners of a path, and which line
//! decides it, for people checking their CODEOWNERS before findings are routed by it.

use std::path::PathBuf;

use clap::Args;
use ox_teams_core::owners::{self, CodeOwners, LineProblem, Owner, Rule};
use ox_teams_core::{AppError, Error};
use serde::Serialize;

use crate::show;

#[derive(Args)]
pub(crate) struct OwnersCommand {
    /// Paths in the repository (relative to its root, or absolute inside it).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// The CODEOWNERS file, or the repository folder to find it in (.github/, the root, docs/).
    #[arg(long, value_name = "FILE")]
    codeowners: PathBuf,
}

#[derive(Serialize)]
struct Report<'a> {
    codeowners: PathBuf,
    skipped_lines: &'a [LineProblem],
    paths: Vec<PathOwners<'a>>,
}

#[derive(Serialize)]
struct PathOwners<'a> {
    path: String,
    /// The line that decides; `null` when no line matches (the path has no owners).
    rule: Option<&'a Rule>,
}

pub(crate) fn run(json: bool, command: OwnersCommand) -> Result<(), AppError> {
    let (file, codeowners) = if command.codeowners.is_dir() {
        CodeOwners::find_in(&command.codeowners).map_err(Error::from)?
    } else {
        let owners = CodeOwners::read(&command.codeowners).map_err(Error::from)?;
        (command.codeowners.clone(), owners)
    };
    let repository = owners::repository_of(&std::path::absolute(&file).unwrap_or(file.clone()));
    let paths = command
        .paths
        .iter()
        .map(|path| {
            let path = owners::relative_path(path, Some(&repository));
            let rule = codeowners.rule_for(&path);
            PathOwners { path, rule }
        })
        .collect();
    let report = Report {
        codeowners: file,
        skipped_lines: &codeowners.problems,
        paths,
    };
    if json {
        show::json(&report);
    } else {
        print(&report);
    }
    Ok(())
}

fn print(report: &Report) {
    for problem in report.skipped_lines {
        eprintln!(
            "{} line {}: {} ({})",
            report.codeowners.display(),
            problem.line,
            problem.reason,
            problem.text
        );
    }
    for (index, entry) in report.paths.iter().enumerate() {
        if index > 0 {
            println!();
        }
        println!("{}", entry.path);
        match entry.rule {
            None => println!("  No line matches it: it has no owners."),
            Some(rule) => {
                let owners: Vec<String> = rule.owners.iter().map(Owner::written).collect();
                println!(
                    "  Line {}: {} {}",
                    rule.line,
                    rule.pattern,
                    owners.join(" ")
                );
                if rule.owners.is_empty() {
                    println!("  That line names no owners, so it has none.");
                } else {
                    let described: Vec<String> = rule
                        .owners
                        .iter()
                        .map(|owner| format!("{} ({})", owner.written(), owner.kind_in_words()))
                        .collect();
                    println!("  Owners: {}", described.join(", "));
                }
            }
        }
    }
}
