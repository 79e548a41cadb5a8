//! Whether a finding meets a workflow's conditions: compiled once ([`CompiledConditions`]) and
//! asked of many findings, the one place that decides; and what SQL may narrow by first.

use std::cell::RefCell;

use super::Conditions;
use crate::issues::{Issue, Severity};
use crate::store::Narrowing;

impl Conditions {
    pub fn matches(&self, issue: &Issue) -> bool {
        self.compile().matches_issue(issue)
    }

    /// The conditions ready to be asked of many findings: trimmed, lowercased and path
    /// patterns parsed once.
    pub fn compile(&self) -> CompiledConditions {
        let trimmed = |items: &[String]| -> Vec<String> {
            items.iter().map(|i| i.trim().to_string()).collect()
        };
        let text = self.text.trim();
        CompiledConditions {
            min_severity: self.min_severity,
            tools: trimmed(&self.tools),
            rules: trimmed(&self.rules),
            paths: self
                .paths
                .iter()
                .map(|p| GlobPattern::new(p.trim()))
                .collect(),
            text: (!text.is_empty()).then(|| text.to_lowercase()),
        }
    }

    /// Only the severity is asked (which SQL decides exactly).
    pub fn severity_only(&self) -> bool {
        self.tools.is_empty()
            && self.rules.is_empty()
            && self.paths.is_empty()
            && self.text.trim().is_empty()
    }

    /// What SQL can rule out before [`CompiledConditions::matches`] decides: never a finding
    /// that matches.
    pub fn narrowing(&self) -> Narrowing {
        let lowered = |items: &[String]| -> Vec<String> {
            items
                .iter()
                .map(|i| i.trim().to_ascii_lowercase())
                .collect()
        };
        let text = self.text.trim();
        Narrowing {
            tools: lowered(&self.tools),
            rules: lowered(&self.rules),
            path_runs: self.paths.iter().map(|p| literal_run(p.trim())).collect(),
            // The trigram index folds case as SQLite does; kept to ASCII text, where that is
            // the same as Rust's lowercasing.
            text: (text.is_ascii() && text.chars().count() >= 3).then(|| text.to_lowercase()),
            with_text: !text.is_empty(),
        }
    }
}

/// [`Conditions`] compiled: ask [`CompiledConditions::matches`] of each finding.
#[derive(Debug)]
pub struct CompiledConditions {
    min_severity: Option<Severity>,
    tools: Vec<String>,
    rules: Vec<String>,
    paths: Vec<GlobPattern>,
    /// Lowercased; `None` when there is no text condition.
    text: Option<String>,
}

impl CompiledConditions {
    pub fn matches_issue(&self, issue: &Issue) -> bool {
        self.matches(
            issue.severity,
            &issue.tool,
            &issue.rule_id,
            issue.path.as_deref(),
            [issue.title.as_str(), issue.description.as_str()],
        )
    }

    /// The one place a finding is matched: its severity, tool, rule, path, and the title and
    /// description the text is looked for in (with the rule and path).
    pub fn matches(
        &self,
        severity: Severity,
        tool: &str,
        rule_id: &str,
        path: Option<&str>,
        [title, description]: [&str; 2],
    ) -> bool {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b.trim());
        self.min_severity.is_none_or(|min| severity >= min)
            && (self.tools.is_empty() || self.tools.iter().any(|t| same(t, tool)))
            && (self.rules.is_empty() || self.rules.iter().any(|r| same(r, rule_id)))
            && (self.paths.is_empty()
                || path.is_some_and(|path| self.paths.iter().any(|p| p.matches(path))))
            && self.text.as_deref().is_none_or(|text| {
                [Some(title), Some(rule_id), path, Some(description)]
                    .into_iter()
                    .flatten()
                    .any(|field| contains_lowercased(field, text))
            })
    }
}

/// Whether `field`, lowercased, contains `lowered` (itself lowercased). ASCII is compared in
/// place; anything else is lowercased first, as Rust lowercases.
fn contains_lowercased(field: &str, lowered: &str) -> bool {
    if field.is_ascii() && lowered.is_ascii() {
        let (field, text) = (field.as_bytes(), lowered.as_bytes());
        text.is_empty()
            || field
                .windows(text.len())
                .any(|window| window.eq_ignore_ascii_case(text))
    } else {
        field.to_lowercase().contains(lowered)
    }
}

/// The longest run of literal characters a path matching `pattern` must contain (`None`: the
/// pattern has none). A `/` right after `**` is not required (`**/a.py` matches `a.py`).
pub(super) fn literal_run(pattern: &str) -> Option<String> {
    let pattern = pattern.trim_start_matches("./");
    let mut runs: Vec<String> = vec![String::new()];
    let mut chars = pattern.chars().peekable();
    let mut after_double_star = false;
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => {
                after_double_star = c == '*' && chars.peek() == Some(&'*');
                if after_double_star {
                    chars.next();
                }
                runs.push(String::new());
            }
            '/' if after_double_star => after_double_star = false,
            c => {
                after_double_star = false;
                runs.last_mut().expect("one run at least").push(c);
            }
        }
    }
    runs.into_iter()
        .max_by_key(|r| r.chars().count())
        .filter(|r| !r.is_empty())
}

/// `*` matches within a folder, `**` across folders, `?` one character; the whole path must
/// match. Patterns without a `/` match the file name in any folder (`*.py`).
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    GlobPattern::new(pattern).matches(path)
}

/// A path pattern parsed once. Each (pattern position, path position) is decided once, so no
/// pattern takes more than O(pattern × path²) steps: a pattern of many stars cannot stall an
/// import. The buffers are kept between paths.
#[derive(Debug)]
pub struct GlobPattern {
    pattern: Vec<char>,
    /// Without a `/`, the file name is matched.
    whole_path: bool,
    scratch: RefCell<(Vec<char>, Vec<Option<bool>>)>,
}

impl GlobPattern {
    pub fn new(pattern: &str) -> Self {
        let pattern: Vec<char> = pattern.trim_start_matches("./").chars().collect();
        GlobPattern {
            whole_path: pattern.contains(&'/'),
            pattern,
            scratch: RefCell::default(),
        }
    }

    pub fn matches(&self, path: &str) -> bool {
        struct Matcher<'a> {
            p: &'a [char],
            s: &'a [char],
            /// `None`: not decided yet.
            memo: &'a mut [Option<bool>],
        }
        impl Matcher<'_> {
            fn at(&mut self, i: usize, j: usize) -> bool {
                let key = i * (self.s.len() + 1) + j;
                if let Some(known) = self.memo[key] {
                    return known;
                }
                let (p, s) = (self.p, self.s);
                let result = match p.get(i) {
                    None => j == s.len(),
                    Some('*') if p.get(i + 1) == Some(&'*') => {
                        let rest = if p.get(i + 2) == Some(&'/') {
                            i + 3
                        } else {
                            i + 2
                        };
                        (j..=s.len()).any(|k| self.at(rest, k))
                    }
                    Some('*') => (j..=s.len())
                        .take_while(|&k| k == j || s[k - 1] != '/')
                        .any(|k| self.at(i + 1, k)),
                    Some('?') => j < s.len() && s[j] != '/' && self.at(i + 1, j + 1),
                    Some(c) => s.get(j) == Some(c) && self.at(i + 1, j + 1),
                };
                self.memo[key] = Some(result);
                result
            }
        }
        let mut scratch = self.scratch.borrow_mut();
        let (chars, memo) = &mut *scratch;
        chars.clear();
        chars.extend(path.trim_start_matches("./").chars());
        let subject = if self.whole_path {
            &chars[..]
        } else {
            let name_start = chars.iter().rposition(|c| *c == '/').map_or(0, |i| i + 1);
            &chars[name_start..]
        };
        memo.clear();
        memo.resize((self.pattern.len() + 1) * (subject.len() + 1), None);
        Matcher {
            p: &self.pattern,
            s: subject,
            memo,
        }
        .at(0, 0)
    }
}
