//! Importing files and folders of findings, and reading the issues back.

use super::Issues;
use std::path::PathBuf;

use super::{
    CancelFlag, FileImport, ImportProgress, ImportReport, Issue, IssueError, IssueEvent,
    IssueFacets, IssueFilter, IssuePage, IssueState, file_scope, files_of, read_findings,
};
use crate::Result;

impl Issues<'_> {
    /// Imports SARIF and JSON files (folders are searched for `.sarif` and `.json`). Each file
    /// imports entirely or not at all; a bad file is refused with the reason and the rest go
    /// on. It blocks: call it from a blocking-friendly thread.
    pub fn import(
        &self,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(&ImportProgress),
        cancel: &CancelFlag,
    ) -> Result<ImportReport> {
        let mut files = Vec::new();
        let mut report = ImportReport {
            files: Vec::new(),
            new: 0,
            updated: 0,
            existing: 0,
            reopened: 0,
            fixed: 0,
            suppressed: 0,
            refused: 0,
            cancelled: false,
        };
        for path in paths {
            match files_of(path) {
                Ok(found) => files.extend(found.into_iter().map(|file| {
                    let scope = file_scope(path, &file);
                    (file, scope)
                })),
                Err(error) => {
                    report.refused += 1;
                    report.files.push(FileImport::Refused {
                        file: path.display().to_string(),
                        code: error.code(),
                        problem: error.to_string(),
                    });
                }
            }
        }
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
            match read_findings(
                file,
                scope,
                self.core.clock.now(),
                &mut report_bytes,
                cancel,
            ) {
                Ok(scan) => {
                    let applied =
                        self.core
                            .store
                            .apply_scan(&name, &scan, self.core.clock.now())?;
                    report.new += applied.new.len() as u64;
                    report.updated += applied.updated.len() as u64;
                    report.existing += applied.existing.len() as u64;
                    report.reopened += applied.reopened.len() as u64;
                    report.fixed += applied.fixed.len() as u64;
                    report.suppressed += applied.suppressed.len() as u64;
                    log::info!(
                        "imported {} findings from {name} ({}): {} fixed, {} reopened",
                        scan.findings.len(),
                        scan.format,
                        applied.fixed.len(),
                        applied.reopened.len()
                    );
                    report.files.push(FileImport::Imported {
                        file: name,
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
                Err(IssueError::Cancelled) => {
                    report.cancelled = true;
                    break;
                }
                Err(error) => {
                    log::warn!("refused {name}: {error}");
                    report.refused += 1;
                    report.files.push(FileImport::Refused {
                        file: name,
                        code: error.code(),
                        problem: error.to_string(),
                    });
                }
            }
        }
        // Workflows act on what this import found; a problem there does not undo the import.
        if let Err(error) = self.core.workflows().run_after_import(&report) {
            log::warn!("workflows could not act on the import: {error}");
        }
        Ok(report)
    }

    pub fn list(&self, filter: &IssueFilter, offset: u64, limit: u64) -> Result<IssuePage> {
        Ok(self.core.store.issues_page(filter, offset, limit)?)
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
