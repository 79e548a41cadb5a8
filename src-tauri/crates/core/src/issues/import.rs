//! Importing files and folders of findings, and reading the issues back.

use super::Issues;
use std::path::PathBuf;

use super::{
    CancelFlag, FileImport, ImportProgress, ImportReport, Issue, IssueError, IssueEvent,
    IssueFacets, IssueFilter, IssuePage, IssueState, Scan, file_scope, files_of, parse_findings,
    read_findings,
};
use crate::Result;

impl Issues<'_> {
    /// Imports SARIF and JSON files (folders are searched for `.sarif` and `.json`). Each file
    /// imports entirely or not at all; a bad file is refused with the reason and the rest go
    /// on. Workflows then act on what it found. It blocks: call it from a blocking-friendly
    /// thread.
    pub fn import(
        &self,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(&ImportProgress),
        cancel: &CancelFlag,
    ) -> Result<ImportReport> {
        let mut files = Vec::new();
        let mut refused = Vec::new();
        for path in paths {
            match files_of(path) {
                Ok((found, skipped)) => {
                    files.extend(found.into_iter().map(|file| {
                        let scope = file_scope(path, &file);
                        (file, scope)
                    }));
                    refused.extend(skipped.into_iter().map(|error| FileImport::Refused {
                        file: path.display().to_string(),
                        code: error.code(),
                        problem: error.to_string(),
                    }));
                }
                Err(error) => refused.push(FileImport::Refused {
                    file: path.display().to_string(),
                    code: error.code(),
                    problem: error.to_string(),
                }),
            }
        }
        let mut report = ImportReport::default();
        for file in refused {
            report.add(file);
        }
        self.import_files(&files, &mut report, progress, cancel)?;
        self.act_on(&report);
        Ok(report)
    }

    /// Imports one report read from a stream (`ox-teams-cli import -`). `name` stands for the
    /// file: it is the report's scope when its runs name none, and its source.
    pub fn import_stream(&self, name: &str, input: impl std::io::Read) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let now = self.core.clock.now();
        let scan = parse_findings(input, name, name, now, &mut |_| {}, &CancelFlag::default());
        self.record(name, scan, &mut report)?;
        self.act_on(&report);
        Ok(report)
    }

    /// Workflows act on what an import found; a problem there does not undo the import.
    pub(crate) fn act_on(&self, report: &ImportReport) {
        if let Err(error) = self.core.workflows().run_after_import(report) {
            log::warn!("workflows could not act on the import: {error}");
        }
    }

    /// Imports files with their scopes into `report`, without running workflows. Says, for each
    /// file read, whether it is settled (imported or refused for good) or should be read again
    /// (the database stayed busy).
    pub(crate) fn import_files(
        &self,
        files: &[(PathBuf, String)],
        report: &mut ImportReport,
        progress: &mut dyn FnMut(&ImportProgress),
        cancel: &CancelFlag,
    ) -> Result<Vec<bool>> {
        let mut settled = Vec::new();
        let count = files.len() as u64;
        for (index, (file, scope)) in files.iter().enumerate() {
            let name = file.display().to_string();
            let total = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            let mut report_bytes = |read: u64| {
                progress(&ImportProgress {
                    file: name.clone(),
                    file_index: index as u64,
                    file_count: count,
                    bytes_read: read,
                    bytes_total: total,
                })
            };
            let scan = read_findings(
                file,
                scope,
                self.core.clock.now(),
                &mut report_bytes,
                cancel,
            );
            if matches!(scan, Err(IssueError::Cancelled)) {
                report.cancelled = true;
                break;
            }
            settled.push(self.record(&name, scan, report)?);
        }
        Ok(settled)
    }

    /// Applies one file's scan (or records why it was refused). `false` when a good scan could
    /// not be saved (the database stayed busy): the caller may read it again later.
    pub(crate) fn record(
        &self,
        name: &str,
        scan: std::result::Result<Scan, IssueError>,
        report: &mut ImportReport,
    ) -> Result<bool> {
        match scan {
            Ok(mut scan) => {
                scan.findings.iter_mut().for_each(super::Finding::cap);
                let applied = match self
                    .core
                    .store
                    .apply_scan(name, &scan, self.core.clock.now())
                {
                    Ok(applied) => applied,
                    // The other process kept the database busy past the wait: this file is
                    // refused, saying so, and the others still go.
                    Err(error @ crate::store::StoreError::Busy) => {
                        report.add(FileImport::Refused {
                            file: name.to_string(),
                            code: error.code(),
                            problem: format!(
                                "{name} was not imported: {error} Nothing from it was imported."
                            ),
                        });
                        return Ok(false);
                    }
                    Err(error) => return Err(error.into()),
                };
                log::info!(
                    "imported {} findings from {name} ({}): {} fixed, {} reopened",
                    scan.findings.len(),
                    scan.format,
                    applied.fixed.len(),
                    applied.reopened.len()
                );
                report.add(FileImport::Imported {
                    file: name.to_string(),
                    format: scan.format,
                    findings: scan.findings.len() as u64,
                    new: applied.new,
                    updated: applied.updated,
                    existing: applied.existing,
                    reopened: applied.reopened,
                    fixed: applied.fixed,
                    suppressed: applied.suppressed,
                });
            }
            Err(error) => {
                log::warn!("refused {name}: {error}");
                report.add(FileImport::Refused {
                    file: name.to_string(),
                    code: error.code(),
                    problem: error.to_string(),
                });
            }
        }
        Ok(true)
    }

    pub fn list(&self, filter: &IssueFilter, offset: u64, limit: u64) -> Result<IssuePage> {
        Ok(self.core.store.issues_page(filter, offset, limit)?)
    }

    /// The `limit` issues after `after_id` in the table's order: the next page of a table
    /// scrolled down, as fast deep in the list as at its top. Unknown when that issue is gone
    /// (ask for the page by its position instead).
    pub fn list_after(
        &self,
        filter: &IssueFilter,
        after_id: &str,
        limit: u64,
    ) -> Result<Vec<Issue>> {
        self.core
            .store
            .issues_after(filter, after_id, limit)?
            .ok_or_else(|| IssueError::NotFound(after_id.to_string()).into())
    }

    pub fn get(&self, id: &str) -> Result<Issue> {
        Ok(self
            .core
            .store
            .issue(id)?
            .ok_or_else(|| IssueError::NotFound(id.to_string()))?)
    }

    /// A finding's history, oldest first: each revision and state change, when, which import,
    /// and what changed.
    pub fn history(&self, id: &str) -> Result<Vec<IssueEvent>> {
        self.get(id)?;
        Ok(self.core.store.issue_events(id)?)
    }

    /// Counts for the filters, among the findings in `states` (every state when empty).
    pub fn facets(&self, states: &[IssueState]) -> Result<IssueFacets> {
        Ok(self.core.store.issue_facets(states)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn a_report_over_the_size_limit_is_refused_by_name_and_the_rest_imports() {
        let core = crate::tests::core();
        let dir = tempfile::tempdir().unwrap();
        let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/sarif");
        std::fs::copy(
            format!("{samples}/bandit-generated.sarif"),
            dir.path().join("bandit.sarif"),
        )
        .unwrap();
        // A sparse file: its size says 300 MB, and nothing of it is read.
        let huge = std::fs::File::create(dir.path().join("huge.sarif")).unwrap();
        huge.set_len(300 * 1024 * 1024).unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::copy(
            format!("{samples}/bandit-generated.sarif"),
            dir.path().join(".git/not-a-report.sarif"),
        )
        .unwrap();
        let report = core
            .issues()
            .import(
                &[dir.path().to_path_buf()],
                &mut |_| {},
                &CancelFlag::default(),
            )
            .unwrap();
        assert_eq!((report.new, report.refused), (6, 1), "{report:?}");
        let FileImport::Refused { file, problem, .. } = &report.files[1] else {
            panic!("{report:?}");
        };
        assert!(file.ends_with("huge.sarif"), "{file}");
        assert!(
            problem.contains("300 MB, more than the 256 MB"),
            "{problem}"
        );
    }

    #[test]
    fn a_stream_over_the_size_limit_is_refused_without_being_held_in_memory() {
        let core = crate::tests::core();
        let endless = std::io::repeat(b' ').take(super::super::MAX_REPORT_BYTES + 10);
        let report = core.issues().import_stream("ci/huge", endless).unwrap();
        assert_eq!(report.refused, 1);
        let FileImport::Refused { problem, .. } = &report.files[0] else {
            panic!("{report:?}");
        };
        assert!(problem.contains("more than the 256 MB"), "{problem}");
    }

    #[test]
    fn a_database_kept_busy_by_the_other_process_refuses_the_file_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let core = crate::Core::open(crate::CoreOptions {
            data_dir: dir.path().to_path_buf(),
            secrets: std::sync::Arc::new(crate::secrets::MemoryStore::new()),
            clock: std::sync::Arc::new(crate::clock::ManualClock::new(chrono::Utc::now())),
            entropy: std::sync::Arc::new(crate::entropy::SeededEntropy::new(1)),
            search_path: Some(std::ffi::OsString::new()),
            http: Default::default(),
        })
        .unwrap();
        let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/sarif");
        let file = PathBuf::from(format!("{samples}/bandit-generated.sarif"));
        // "The other process" holds the write lock past the five seconds the store waits.
        let other = rusqlite::Connection::open(core.database_path()).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let report = core
            .issues()
            .import(
                std::slice::from_ref(&file),
                &mut |_| {},
                &CancelFlag::default(),
            )
            .unwrap();
        assert_eq!((report.new, report.refused), (0, 1), "{report:?}");
        let FileImport::Refused { code, problem, .. } = &report.files[0] else {
            panic!("{report:?}");
        };
        assert_eq!(*code, crate::ErrorCode::DatabaseBusy);
        assert!(
            problem.contains("bandit-generated.sarif was not imported"),
            "{problem}"
        );
        other.execute_batch("ROLLBACK").unwrap();
        let again = core
            .issues()
            .import(&[file], &mut |_| {}, &CancelFlag::default())
            .unwrap();
        assert_eq!(again.new, 6);
    }

    #[test]
    fn a_reports_huge_fields_are_cut_to_what_a_person_reads() {
        let core = crate::tests::core();
        let title = "A".repeat(100_000);
        let report = serde_json::json!({ "format": "ox-teams-issues/1", "issues": [{
            "id": "big", "title": title, "severity": "high", "tool": "gitleaks", "rule": "r",
            "description": "é".repeat(50_000), "tags": (0..500).map(|n| n.to_string()).collect::<Vec<_>>(),
            "help_url": format!("https://example.com/{}", "x".repeat(5_000)) }] });
        let imported = core
            .issues()
            .import_stream("big.json", report.to_string().as_bytes())
            .unwrap();
        assert_eq!(imported.new, 1, "{imported:?}");
        let issue = core.issues().get("big").unwrap();
        assert_eq!(issue.title.chars().count(), 500);
        assert!(issue.title.ends_with('…'));
        assert_eq!(issue.description.chars().count(), 20_000);
        assert_eq!(issue.tags.len(), 50);
        assert_eq!(issue.help_uri, None);
    }
}
