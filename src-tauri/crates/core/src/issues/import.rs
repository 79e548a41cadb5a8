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
                Ok(found) => files.extend(found.into_iter().map(|file| {
                    let scope = file_scope(path, &file);
                    (file, scope)
                })),
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

    /// Imports files with their scopes into `report`, without running workflows.
    pub(crate) fn import_files(
        &self,
        files: &[(PathBuf, String)],
        report: &mut ImportReport,
        progress: &mut dyn FnMut(&ImportProgress),
        cancel: &CancelFlag,
    ) -> Result<()> {
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
            self.record(&name, scan, report)?;
        }
        Ok(())
    }

    /// Applies one file's scan (or records why it was refused).
    pub(crate) fn record(
        &self,
        name: &str,
        scan: std::result::Result<Scan, IssueError>,
        report: &mut ImportReport,
    ) -> Result<()> {
        match scan {
            Ok(scan) => {
                let applied = self
                    .core
                    .store
                    .apply_scan(name, &scan, self.core.clock.now())?;
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
        Ok(())
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
