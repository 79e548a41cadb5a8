//! A findings file's top level, read in one pass as the file streams in: SARIF's `runs` straight
//! into the `serde-sarif` types, every other key as a JSON value. Reading the whole document
//! into a `serde_json::Value` first and converting it after took about twice as long, and held
//! the document twice (issue 16).

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};
use serde_sarif::sarif::Run;

/// The only SARIF version read (https://docs.oasis-open.org/sarif/sarif/v2.1.0/).
pub(super) const SARIF_VERSION: &str = "2.1.0";

/// What the file holds at its top level.
#[derive(Default)]
pub(super) struct TopLevel {
    /// SARIF's runs, read into their types; `None` when the file has no `runs`, or when its
    /// `version`, written before them, is not [`SARIF_VERSION`] (they are then skipped: the
    /// version is the file's problem, not what a run of another version looks like).
    pub runs: Option<Vec<Run>>,
    /// Whether the file has a `runs` key at all.
    pub has_runs: bool,
    /// Every other key, as written.
    pub other: Map<String, Value>,
}

impl TopLevel {
    /// A SARIF log: it has runs, or its `$schema` names SARIF.
    pub fn is_sarif(&self) -> bool {
        self.has_runs
            || self
                .other
                .get("$schema")
                .and_then(Value::as_str)
                .is_some_and(|schema| schema.contains("sarif"))
    }
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut top = TopLevel::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == "runs" {
                top.has_runs = true;
                let other_version = top
                    .other
                    .get("version")
                    .is_some_and(|v| v.as_str() != Some(SARIF_VERSION));
                if other_version {
                    map.next_value::<IgnoredAny>()?;
                } else {
                    top.runs = Some(map.next_value()?);
                }
            } else {
                let value = map.next_value()?;
                top.other.insert(key, value);
            }
        }
        Ok(top)
    }
}

#[cfg(test)]
mod tests {
    use crate::issues::{CancelFlag, IssueError, Scan, parse_findings};

    fn read(text: &str) -> Result<Scan, IssueError> {
        parse_findings(
            text.as_bytes(),
            "scan.sarif",
            "scan.sarif",
            chrono::DateTime::UNIX_EPOCH,
            &mut |_| {},
            &CancelFlag::default(),
        )
    }

    fn problem(text: &str) -> String {
        read(text).map(|_| ()).unwrap_err().to_string()
    }

    const RESULT: &str = r#"{"ruleId": "r1", "message": {"text": "Bad."}, "level": "error"}"#;

    #[test]
    fn runs_are_read_whatever_the_order_of_the_keys() {
        for text in [
            format!(
                r#"{{"version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "T"}}}}, "results": [{RESULT}]}}]}}"#
            ),
            format!(
                r#"{{"runs": [{{"results": [{RESULT}], "tool": {{"driver": {{"name": "T"}}}}}}], "version": "2.1.0", "properties": {{"x": 1}}}}"#
            ),
        ] {
            let scan = read(&text).unwrap();
            assert_eq!(scan.findings.len(), 1, "{text}");
            assert_eq!(scan.findings[0].tool, "T");
        }
    }

    #[test]
    fn a_run_of_another_version_is_refused_for_its_version_not_its_shape() {
        let text = r#"{"version": "1.0.0", "runs": [{"tool": {"name": "Old"}, "results": {"shape": "of 1.0"}}]}"#;
        let problem = problem(text);
        assert!(
            problem.contains("its version is \"1.0.0\"; only 2.1.0 is supported"),
            "{problem}"
        );
    }

    #[test]
    fn a_wrong_value_in_a_run_is_named_by_its_place_and_line() {
        let text = "{\"version\": \"2.1.0\",\n\"runs\": [{\"tool\": {\"driver\": {\"name\": \"T\"}},\n\"results\": [{\"message\": {\"text\": \"x\"}, \"level\": \"loud\"}]}]}";
        let problem = problem(text);
        assert!(problem.contains("runs[0].results[0].level"), "{problem}");
        assert!(problem.contains("unknown variant `loud`"), "{problem}");
        assert!(problem.contains("line 3"), "{problem}");
    }

    #[test]
    fn what_is_not_a_findings_object_is_refused_as_neither_format() {
        for text in ["[1, 2]", "\"sarif\"", r#"{"hello": "world"}"#] {
            let said = problem(text);
            assert!(said.contains("neither SARIF"), "{text}: {said}");
        }
        let said = problem(
            r#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0"}"#,
        );
        assert!(said.contains("it has no \"runs\""), "{said}");
        let said = problem(r#"{"version": "2.1.0", "runs": []} trailing"#);
        assert!(said.contains("it is not JSON"), "{said}");
    }
}
