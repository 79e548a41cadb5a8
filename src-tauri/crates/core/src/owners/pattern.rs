//! One CODEOWNERS pattern, compiled once, matched against repository paths.
//!
//! GitHub's rules (https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-syntax)
//! are gitignore's (https://git-scm.com/docs/gitignore#_pattern_format) without negation,
//! character ranges or `\#`:
//! - a pattern with a `/` at its start or in its middle is anchored at the repository root;
//!   otherwise it matches at any depth;
//! - a trailing `/` matches directories only, so everything under them;
//! - a pattern that names a directory owns everything under it, except that `docs/*` owns only
//!   the files directly in `docs/` (GitHub's own example);
//! - `*` and `?` stay within one path segment; `**` spans segments (`**/x`, `x/**/y`, `x/**`);
//! - `\` escapes the next character.

/// Why a pattern cannot be used; the line is skipped, as GitHub skips it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternProblem {
    Negation,
    CharacterRange,
    EscapedHash,
    Empty,
}

impl PatternProblem {
    pub fn sentence(&self) -> &'static str {
        match self {
            PatternProblem::Negation => {
                "GitHub does not support negation (!) in CODEOWNERS, so this line is skipped"
            }
            PatternProblem::CharacterRange => {
                "GitHub does not support character ranges ([ ]) in CODEOWNERS, so this line is skipped"
            }
            PatternProblem::EscapedHash => {
                "GitHub does not support escaping # in CODEOWNERS, so this line is skipped"
            }
            PatternProblem::Empty => "this pattern names no file, so this line is skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// Any run of characters within a segment.
    Star,
    /// One character within a segment.
    Question,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// `**`: any number of whole segments (at the end: at least one).
    AnyDirs,
    Glob(Vec<Token>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
    /// A trailing `/`: matches what is under a directory, never a file of that name.
    directories_only: bool,
    /// A trailing lone `*` (`docs/*`): only what is directly inside, not deeper.
    direct_children_only: bool,
}

impl Pattern {
    pub fn compile(raw: &str) -> Result<Pattern, PatternProblem> {
        if raw.starts_with('!') {
            return Err(PatternProblem::Negation);
        }
        if raw.starts_with("\\#") {
            return Err(PatternProblem::EscapedHash);
        }
        let mut rest = raw;
        let mut anchored = false;
        if let Some(stripped) = rest.strip_prefix('/') {
            anchored = true;
            rest = stripped;
        }
        let mut directories_only = false;
        if let Some(stripped) = rest.strip_suffix('/') {
            directories_only = true;
            rest = stripped;
        }
        if rest.is_empty() {
            return Err(PatternProblem::Empty);
        }
        anchored |= rest.contains('/');

        let mut segments = Vec::new();
        if !anchored {
            segments.push(Segment::AnyDirs);
        }
        for part in rest.split('/') {
            if part.is_empty() {
                continue;
            }
            if part == "**" {
                // `a/**/**/b` is `a/**/b`.
                if segments.last() != Some(&Segment::AnyDirs) {
                    segments.push(Segment::AnyDirs);
                }
                continue;
            }
            segments.push(Segment::Glob(tokens(part)?));
        }
        // `foo/**/` is `foo/**`: both own everything under foo.
        if segments.last() == Some(&Segment::AnyDirs) {
            directories_only = false;
        }
        let direct_children_only = !directories_only
            && matches!(segments.last(), Some(Segment::Glob(t)) if t == &[Token::Star]);
        Ok(Pattern {
            segments,
            directories_only,
            direct_children_only,
        })
    }

    /// Whether the file at `path` (relative to the repository root, `/`-separated) is owned by
    /// this pattern: it names the file itself or, unless it says otherwise, a directory above it.
    pub fn matches(&self, path: &[&str]) -> bool {
        let file_itself = !self.directories_only && whole(&self.segments, path);
        if file_itself {
            return true;
        }
        if self.direct_children_only {
            return false;
        }
        (1..path.len()).any(|depth| whole(&self.segments, &path[..depth]))
    }
}

fn tokens(part: &str) -> Result<Vec<Token>, PatternProblem> {
    let mut out = Vec::new();
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(Token::Literal(chars.next().unwrap_or('\\'))),
            // `***` (or `**` inside a segment, `a**b`) is a plain `*`, as in gitignore.
            '*' if out.last() == Some(&Token::Star) => {}
            '*' => out.push(Token::Star),
            '?' => out.push(Token::Question),
            '[' => return Err(PatternProblem::CharacterRange),
            c => out.push(Token::Literal(c)),
        }
    }
    Ok(out)
}

/// Whether the pattern's segments match exactly these path segments.
fn whole(pattern: &[Segment], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((Segment::AnyDirs, [])) => !path.is_empty(),
        Some((Segment::AnyDirs, rest)) => (0..=path.len()).any(|skip| whole(rest, &path[skip..])),
        Some((Segment::Glob(glob), rest)) => match path.split_first() {
            Some((first, others)) => segment(glob, first) && whole(rest, others),
            None => false,
        },
    }
}

fn segment(glob: &[Token], name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    glob_from(glob, &name)
}

fn glob_from(glob: &[Token], name: &[char]) -> bool {
    match glob.split_first() {
        None => name.is_empty(),
        Some((Token::Star, rest)) => (0..=name.len()).any(|skip| glob_from(rest, &name[skip..])),
        Some((Token::Question, rest)) => !name.is_empty() && glob_from(rest, &name[1..]),
        Some((Token::Literal(c), rest)) => name.first() == Some(c) && glob_from(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owns(pattern: &str, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        Pattern::compile(pattern).expect(pattern).matches(&segments)
    }

    /// Each pattern against paths it must and must not own. The cases are those of GitHub's
    /// documented example file and the gitignore rules it inherits.
    #[test]
    fn patterns_own_what_github_says_they_own() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            (
                "foo",
                &[
                    ("foo", true),
                    ("foo.txt", false),
                    ("foo/bar", true),
                    ("bar/foo", true),
                    ("bar/foo.txt", false),
                    ("bar/foo/baz", true),
                ],
            ),
            (
                "/foo",
                &[
                    ("foo", true),
                    ("fool.txt", false),
                    ("foo/bar/baz", true),
                    ("bar/foo", false),
                ],
            ),
            (
                "foo/",
                &[
                    ("foo", false),
                    ("foo/bar", true),
                    ("bar/foo/baz/qux", true),
                    ("bar/foo", false),
                ],
            ),
            (
                "/foo/",
                &[
                    ("foo", false),
                    ("foo/bar/baz", true),
                    ("bar/foo/baz", false),
                ],
            ),
            (
                "foo/bar",
                &[
                    ("foo/bar", true),
                    ("foo/bart", false),
                    ("foo/bar/baz", true),
                    ("baz/foo/bar", false),
                ],
            ),
            (
                "foo/bar/",
                &[
                    ("foo/bar", false),
                    ("foo/bar/baz", true),
                    ("baz/foo/bar/qux", false),
                ],
            ),
            (
                "*",
                &[("foo", true), ("foo/bar", true), ("bar/foo/baz", true)],
            ),
            (
                "f*",
                &[
                    ("foo", true),
                    ("foo/bar/baz", true),
                    ("bar/foo", true),
                    ("bar/baz", false),
                    ("xfoo", false),
                ],
            ),
            ("/*", &[("foo", true), ("foo/bar", false)]),
            ("/f*", &[("foo/bar", true), ("bar/foo", false)]),
            (
                "f*/",
                &[
                    ("foo", false),
                    ("foo/bar", true),
                    ("bar/foo/baz", true),
                    ("bar/foo", false),
                ],
            ),
            (
                "/*/",
                &[("foo", false), ("foo/bar", true), ("bar/foo/baz", true)],
            ),
            ("f\\*o", &[("foo", false), ("f*o", true)]),
            ("f?o", &[("foo", true), ("fo", false), ("fooo", false)]),
            ("f\\?o", &[("foo", false), ("f?o", true)]),
            // GitHub's example: `docs/*` owns docs/getting-started.md, not docs/build-app/x.md.
            (
                "docs/*",
                &[
                    ("docs", false),
                    ("docs/getting-started.md", true),
                    ("docs/build-app/troubleshooting.md", false),
                    ("x/docs/a.md", false),
                ],
            ),
            (
                "foo/*.txt",
                &[
                    ("foo/bar.txt", true),
                    ("foo/bar/baz.txt", false),
                    ("qux/foo/bar.txt", false),
                ],
            ),
            (
                "foo/*/baz",
                &[
                    ("foo/baz", false),
                    ("foo/bar/baz", true),
                    ("foo/bar/baz/qux", true),
                ],
            ),
            (
                "**/foo/bar",
                &[
                    ("foo/bar", true),
                    ("qux/foo/bar/baz", true),
                    ("foo/baz/bar", false),
                ],
            ),
            (
                "**/*bar*",
                &[("bar", true), ("foo/rebar", true), ("foo/qux/bar", true)],
            ),
            (
                "foo/bar/**",
                &[
                    ("foo/bar", false),
                    ("foo/bar/baz/qux", true),
                    ("qux/foo/bar/baz", false),
                ],
            ),
            (
                "foo/**/bar",
                &[
                    ("foo/bar", true),
                    ("foo/qux/quux/bar/baz", true),
                    ("qux/foo/bar", false),
                ],
            ),
            ("**", &[("a", true), ("a/b/c", true)]),
            (
                "foo/**/",
                &[("foo", false), ("foo/bar", true), ("foo/bar/baz", true)],
            ),
            (
                "foo/**/bar/b*",
                &[
                    ("foo/bar", false),
                    ("foo/bar/baz", true),
                    ("foo/qux/bar/qux", false),
                ],
            ),
            // GitHub's example file.
            (
                "*.js",
                &[
                    ("app.js", true),
                    ("src/deep/app.js", true),
                    ("app.jsx", false),
                ],
            ),
            (
                "/build/logs/",
                &[
                    ("build/logs/a.log", true),
                    ("build/logs/x/y.log", true),
                    ("src/build/logs/a", false),
                ],
            ),
            (
                "apps/",
                &[("apps/a", true), ("x/apps/a/b", true), ("apps", false)],
            ),
        ];
        for (pattern, paths) in cases {
            for (path, expected) in *paths {
                assert_eq!(owns(pattern, path), *expected, "{pattern} owning {path}");
            }
        }
    }

    #[test]
    fn what_github_does_not_support_is_refused_with_its_reason() {
        assert_eq!(Pattern::compile("!docs/"), Err(PatternProblem::Negation));
        assert_eq!(
            Pattern::compile("*.[ch]"),
            Err(PatternProblem::CharacterRange)
        );
        assert_eq!(
            Pattern::compile("\\#notes"),
            Err(PatternProblem::EscapedHash)
        );
        assert_eq!(Pattern::compile("/"), Err(PatternProblem::Empty));
    }
}
