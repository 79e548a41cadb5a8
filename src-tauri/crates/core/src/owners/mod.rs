//! Who owns a file: a repository's CODEOWNERS file, read as GitHub reads it.
//!
//! https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
//! - the file is `.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`, the first found in that
//!   order; over 3 MB GitHub ignores it;
//! - each line is a pattern and zero or more owners (`@user`, `@org/team`, an e-mail address);
//!   a pattern with no owners leaves what it matches without owners;
//! - the last matching line wins;
//! - a line with invalid syntax is skipped (and said), the rest of the file still counts.

mod location;
mod pattern;
mod routing;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub(crate) use location::OwnersCache;
pub use location::{Loaded, OwnersLocation};
use pattern::Pattern;
pub use pattern::PatternProblem;
pub use routing::{
    Addressed, FindingOwners, OwnerEntry, OwnerKind, OwnerRouting, Owners, OwnersView,
    ReachedOwner, Resolver, Routing, SkippedLine, UnresolvedOwner, address,
};

/// GitHub does not load a CODEOWNERS file over 3 MB.
pub const MAX_CODEOWNERS_BYTES: u64 = 3 * 1024 * 1024;

/// Where GitHub looks for the file, in the order it looks.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

#[derive(Debug, thiserror::Error)]
pub enum OwnersError {
    #[error("{} has no CODEOWNERS file: GitHub reads .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS.", .0.display())]
    NoFile(PathBuf),
    #[error("Cannot read {}: {source}.", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is {:.1} MB; GitHub ignores a CODEOWNERS file over 3 MB, and so does the app.", path.display(), *bytes as f64 / 1_048_576.0)]
    TooLarge { path: PathBuf, bytes: u64 },
    #[error("{} is not text (UTF-8), so it is not a CODEOWNERS file.", .0.display())]
    NotText(PathBuf),
    #[error(
        "{0} has no CODEOWNERS file on its default branch: GitHub reads .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS."
    )]
    NoFileOnGitHub(String),
    #[error("“{0}” is not a repository: write it as owner/name.")]
    NotARepository(String),
    #[error("CODEOWNERS of {repo} has not been fetched from GitHub yet. {problem}")]
    NotFetched { repo: String, problem: String },
}

impl OwnersError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            OwnersError::NoFile(_) => crate::ErrorCode::NotFound,
            OwnersError::Unreadable { .. } | OwnersError::TooLarge { .. } => {
                crate::ErrorCode::FileUnreadable
            }
            OwnersError::NotText(_) => crate::ErrorCode::InvalidFindings,
            OwnersError::NoFileOnGitHub(_) | OwnersError::NotFetched { .. } => {
                crate::ErrorCode::NotFound
            }
            OwnersError::NotARepository(_) => crate::ErrorCode::InvalidRequest,
        }
    }
}

/// An owner as CODEOWNERS names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Owner {
    /// `@octocat`, kept without the `@`.
    GithubUser(String),
    /// `@octo-org/octocats`, kept without the `@`.
    GithubTeam(String),
    Email(String),
}

impl Owner {
    pub(crate) fn parse(token: &str) -> Option<Owner> {
        if let Some(name) = token.strip_prefix('@') {
            let word = |s: &str, extra: &[char]| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
            };
            return match name.split_once('/') {
                Some((org, team)) if word(org, &['-']) && word(team, &['-', '_', '.']) => {
                    Some(Owner::GithubTeam(name.to_string()))
                }
                None if word(name, &['-', '_']) => Some(Owner::GithubUser(name.to_string())),
                _ => None,
            };
        }
        let (local, domain) = token.split_once('@')?;
        let plausible = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !token.chars().any(|c| c.is_whitespace() || c.is_control());
        plausible.then(|| Owner::Email(token.to_string()))
    }

    /// How CODEOWNERS writes it.
    pub fn written(&self) -> String {
        match self {
            Owner::GithubUser(name) | Owner::GithubTeam(name) => format!("@{name}"),
            Owner::Email(address) => address.clone(),
        }
    }

    pub fn kind_in_words(&self) -> &'static str {
        match self {
            Owner::GithubUser(_) => "GitHub user",
            Owner::GithubTeam(_) => "GitHub team",
            Owner::Email(_) => "e-mail",
        }
    }
}

/// One usable line of the file.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// 1-based, as editors number lines.
    pub line: usize,
    pub pattern: String,
    /// Empty: the line takes the owners away from what it matches.
    pub owners: Vec<Owner>,
    #[serde(skip)]
    compiled: Pattern,
}

/// A line that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineProblem {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
    pub problems: Vec<LineProblem>,
}

impl CodeOwners {
    pub fn parse(text: &str) -> CodeOwners {
        let mut owners = CodeOwners::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let problem = |reason: String| LineProblem {
                line,
                text: trimmed.to_string(),
                reason,
            };
            let (pattern_text, rest) = split_pattern(trimmed);
            let compiled = match Pattern::compile(&pattern_text) {
                Ok(compiled) => compiled,
                Err(reason) => {
                    owners.problems.push(problem(reason.sentence().to_string()));
                    continue;
                }
            };
            let mut line_owners = Vec::new();
            let mut bad = None;
            for token in rest.split_whitespace() {
                if token.starts_with('#') {
                    break;
                }
                match Owner::parse(token) {
                    Some(owner) => line_owners.push(owner),
                    None => {
                        bad = Some(token.to_string());
                        break;
                    }
                }
            }
            if let Some(token) = bad {
                owners.problems.push(problem(format!(
                    "“{token}” is not an owner (owners are @user, @org/team or an e-mail address), so this line is skipped"
                )));
                continue;
            }
            owners.rules.push(Rule {
                line,
                pattern: pattern_text,
                owners: line_owners,
                compiled,
            });
        }
        owners
    }

    /// Reads the repository's CODEOWNERS where GitHub would find it.
    pub fn find_in(repository: &Path) -> Result<(PathBuf, CodeOwners), OwnersError> {
        for location in LOCATIONS {
            let path = repository.join(location);
            if path.is_file() {
                let owners = CodeOwners::read(&path)?;
                return Ok((path, owners));
            }
        }
        Err(OwnersError::NoFile(repository.to_path_buf()))
    }

    pub fn read(path: &Path) -> Result<CodeOwners, OwnersError> {
        let unreadable = |source| OwnersError::Unreadable {
            path: path.to_path_buf(),
            source,
        };
        let bytes = std::fs::metadata(path).map_err(unreadable)?.len();
        if bytes > MAX_CODEOWNERS_BYTES {
            return Err(OwnersError::TooLarge {
                path: path.to_path_buf(),
                bytes,
            });
        }
        let content = std::fs::read(path).map_err(unreadable)?;
        let text = String::from_utf8(content).map_err(|_| OwnersError::NotText(path.into()))?;
        Ok(CodeOwners::parse(&text))
    }

    /// The line that decides who owns `path` (relative to the repository root): the last that
    /// matches. `None`: no line matches, the file has no owners.
    pub fn rule_for(&self, path: &str) -> Option<&Rule> {
        let segments = repository_segments(path);
        if segments.is_empty() {
            return None;
        }
        self.rules
            .iter()
            .rev()
            .find(|rule| rule.compiled.matches(&segments))
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

/// The repository a CODEOWNERS file belongs to: its folder, or that folder's parent when it is
/// `.github` or `docs`.
pub fn repository_of(codeowners: &Path) -> PathBuf {
    let folder = codeowners.parent().unwrap_or(Path::new("."));
    match folder.file_name().and_then(|name| name.to_str()) {
        Some(".github" | "docs") => folder.parent().unwrap_or(Path::new(".")).to_path_buf(),
        _ => folder.to_path_buf(),
    }
}

/// A finding's path as CODEOWNERS sees it: relative to the repository root, `/`-separated.
/// Scanners write `src/a.go`, `./src/a.go`, `file:///repo/src/a.go` or Windows separators; an
/// absolute path inside `repository` is made relative to it.
pub fn relative_path(path: &str, repository: Option<&Path>) -> String {
    let mut text = path.trim().to_string();
    if let Some(rest) = text.strip_prefix("file://") {
        text = percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .into_owned();
    }
    let text = text.replace('\\', "/");
    if let Some(root) = repository {
        let root = root.to_string_lossy().replace('\\', "/");
        let root = root.trim_end_matches('/');
        if !root.is_empty()
            && let Some(inside) = text.strip_prefix(root)
            && inside.starts_with('/')
        {
            return repository_segments(inside).join("/");
        }
    }
    repository_segments(&text).join("/")
}

fn repository_segments(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|segment| !segment.is_empty() && *segment != ".")
        .collect()
}

/// The pattern ends at the first space not escaped by `\` (GitHub allows `\ ` in paths).
fn split_pattern(line: &str) -> (String, &str) {
    let mut pattern = String::new();
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, ' ')) => pattern.push(' '),
                Some((_, next)) => {
                    pattern.push('\\');
                    pattern.push(next);
                }
                None => pattern.push('\\'),
            },
            c if c.is_whitespace() => return (pattern, &line[at..]),
            c => pattern.push(c),
        }
    }
    (pattern, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's example CODEOWNERS file, from the page cited above.
    const GITHUB_EXAMPLE: &str = "\
# This is a comment.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
";

    fn owners_of(file: &CodeOwners, path: &str) -> Vec<String> {
        file.rule_for(path)
            .map(|rule| rule.owners.iter().map(Owner::written).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_last_matching_line_of_githubs_example_decides() {
        let file = CodeOwners::parse(GITHUB_EXAMPLE);
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        assert_eq!(
            owners_of(&file, "README.md"),
            ["@global-owner1", "@global-owner2"]
        );
        assert_eq!(owners_of(&file, "src/app.js"), ["@js-owner"]);
        assert_eq!(owners_of(&file, "cmd/main.go"), ["docs@example.com"]);
        assert_eq!(owners_of(&file, "notes/a.txt"), ["@octo-org/octocats"]);
        // /docs/ (line 9) comes after docs/* (line 7), so it wins for docs' files.
        assert_eq!(owners_of(&file, "docs/getting-started.md"), ["@doctocat"]);
        assert_eq!(
            owners_of(&file, "scripts/deploy/run.sh"),
            ["@doctocat", "@octocat"]
        );
        assert_eq!(owners_of(&file, "deep/logs/x.log"), ["@octocat"]);
        assert_eq!(owners_of(&file, "apps/web/index.ts"), ["@octocat"]);
        // A line without owners takes them away.
        let github = file
            .rule_for("apps/github/hook.rb")
            .expect("a line matches");
        assert_eq!(github.line, 13);
        assert!(github.owners.is_empty());
    }

    #[test]
    fn a_path_no_line_matches_has_no_rule() {
        let file = CodeOwners::parse("/src/ @a\n");
        assert!(file.rule_for("lib/x.rs").is_none());
        assert_eq!(owners_of(&file, "./src/x.rs"), ["@a"]);
    }

    #[test]
    fn bad_lines_are_skipped_and_said_the_rest_still_counts() {
        let file =
            CodeOwners::parse("* @all\n!vendor/ @none\nsrc/ not-an-owner\n*.[ch] @c\nlib/ @lib\n");
        let lines: Vec<usize> = file.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(file.problems[0].reason.contains("negation"));
        assert!(
            file.problems[1]
                .reason
                .contains("“not-an-owner” is not an owner")
        );
        assert!(file.problems[2].reason.contains("character ranges"));
        assert_eq!(owners_of(&file, "src/a.c"), ["@all"]);
        assert_eq!(owners_of(&file, "lib/a.c"), ["@lib"]);
    }

    #[test]
    fn owners_are_told_apart() {
        assert_eq!(
            Owner::parse("@octocat"),
            Some(Owner::GithubUser("octocat".into()))
        );
        assert_eq!(
            Owner::parse("@acme/payments-team"),
            Some(Owner::GithubTeam("acme/payments-team".into()))
        );
        assert_eq!(
            Owner::parse("megan@contoso.com"),
            Some(Owner::Email("megan@contoso.com".into()))
        );
        for bad in [
            "@",
            "@a/",
            "@a/b/c",
            "megan",
            "megan@localhost",
            "@a b",
            "x@.com",
        ] {
            assert_eq!(Owner::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn escaped_spaces_stay_in_the_pattern() {
        let file = CodeOwners::parse("/My\\ Documents/ @docs\n");
        assert_eq!(owners_of(&file, "My Documents/plan.md"), ["@docs"]);
    }

    #[test]
    fn scanner_paths_become_repository_paths() {
        let root = Path::new("/home/ci/repo");
        assert_eq!(relative_path("./src/a.go", None), "src/a.go");
        assert_eq!(relative_path("src\\win\\a.cs", None), "src/win/a.cs");
        assert_eq!(
            relative_path("file:///home/ci/repo/src/my%20a.go", Some(root)),
            "src/my a.go"
        );
        assert_eq!(
            relative_path("/home/ci/repo/src/a.go", Some(root)),
            "src/a.go"
        );
        // Not inside the repository: kept as it is written, without the leading slash.
        assert_eq!(
            relative_path("/home/ci/repository2/a.go", Some(root)),
            "home/ci/repository2/a.go"
        );
    }

    #[test]
    fn the_file_is_found_where_github_looks_first_and_its_repository_is_known() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".github")).unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("docs/CODEOWNERS"), "* @docs\n").unwrap();
        std::fs::write(dir.path().join("CODEOWNERS"), "* @root\n").unwrap();
        let (path, file) = CodeOwners::find_in(dir.path()).unwrap();
        assert_eq!(path, dir.path().join("CODEOWNERS"));
        assert_eq!(owners_of(&file, "a"), ["@root"]);
        std::fs::write(dir.path().join(".github/CODEOWNERS"), "* @github\n").unwrap();
        let (path, _) = CodeOwners::find_in(dir.path()).unwrap();
        assert_eq!(repository_of(&path), dir.path());
        assert_eq!(repository_of(&dir.path().join("CODEOWNERS")), dir.path());

        let empty = tempfile::tempdir().unwrap();
        let error = CodeOwners::find_in(empty.path()).unwrap_err();
        assert!(
            error.to_string().contains("has no CODEOWNERS file"),
            "{error}"
        );

        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'#'; MAX_CODEOWNERS_BYTES as usize + 1]).unwrap();
        let error = CodeOwners::read(&big).unwrap_err();
        assert!(error.to_string().contains("over 3 MB"), "{error}");
    }
}
