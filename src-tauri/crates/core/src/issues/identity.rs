//! What keeps a finding the same finding across imports and versions of the app: its id, made
//! from its parts, and the hash of its content, which says whether it changed. Both are
//! stored; the tests pin them, as a different id or hash for the same finding would make an
//! upgrade see every stored finding as new or updated.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::Finding;

/// A stable identity from its parts: the same parts give the same id on every machine.
pub fn identity(parts: &[&str]) -> String {
    let joined = parts.join("\u{1f}");
    hex(&Sha256::digest(joined.as_bytes())[..8])
}

impl Finding {
    /// Changes to any of these make the finding "updated".
    pub fn content_hash(&self) -> String {
        // Written straight into the hash: building the text first took a third of the time.
        let mut hashing = Hashing(Sha256::new());
        let _ = write!(
            hashing,
            "{}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}",
            self.title,
            self.severity.as_str(),
            self.score,
            self.description,
            self.rule_name,
            self.path,
            self.line,
            self.column,
            self.help_uri,
        );
        for (n, tag) in self.tags.iter().enumerate() {
            if n > 0 {
                hashing.0.update(b",");
            }
            hashing.0.update(tag.as_bytes());
        }
        hex(&hashing.0.finalize()[..16])
    }
}

struct Hashing(Sha256);

impl std::fmt::Write for Hashing {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.update(text.as_bytes());
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issues::{Reported, Severity};

    fn finding() -> Finding {
        Finding {
            id: "x".into(),
            title: "SQL injection in “login”".into(),
            severity: Severity::High,
            score: Some(7.5),
            tool: "Semgrep".into(),
            rule_id: "sqli".into(),
            rule_name: Some("sql-injection".into()),
            path: Some("src/db.rs".into()),
            line: Some(42),
            column: None,
            help_uri: None,
            link: None,
            description: "line1\nline2".into(),
            tags: vec!["security".into(), "cwe-89".into()],
            seen_at: chrono::DateTime::UNIX_EPOCH,
            scope: "s".into(),
            reported: Reported::Active,
        }
    }

    /// The values 0.1 stored (sha256 of the parts joined by char(31), in hex, computed apart).
    #[test]
    fn ids_and_content_hashes_are_the_ones_earlier_versions_stored() {
        assert_eq!(
            identity(&["semgrep", "rule", "src/a.rs", "3"]),
            "dbfbdd9277fa6136"
        );
        assert_eq!(finding().content_hash(), "1608ecfa06addfbd8cf56017ac0196ad");
        let bare = Finding {
            title: "t".into(),
            severity: Severity::Info,
            score: None,
            rule_name: None,
            path: None,
            line: None,
            description: String::new(),
            tags: Vec::new(),
            ..finding()
        };
        assert_eq!(bare.content_hash(), "bd2be731bfea6e6c440ddc99f4e41cbf");
    }

    #[test]
    fn what_a_person_sees_changes_the_hash_and_where_it_was_stored_does_not() {
        let before = finding();
        let mut moved = finding();
        moved.line = Some(43);
        let mut tagged = finding();
        tagged.tags.push("owasp".into());
        let mut elsewhere = finding();
        elsewhere.scope = "another scan".into();
        elsewhere.seen_at = chrono::Utc::now();
        assert_ne!(before.content_hash(), moved.content_hash());
        assert_ne!(before.content_hash(), tagged.content_hash());
        assert_eq!(before.content_hash(), elsewhere.content_hash());
    }
}
