//! Which open findings a workflow's conditions match: narrowed in SQL, decided by
//! [`super::CompiledConditions::matches`] on the columns it looks at, read whole only when used.

use serde::Serialize;
use ts_rs::TS;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{ApplyTo, Conditions, WorkflowDefinition, Workflows};
use crate::Result;
use crate::issues::{Change, Issue, IssueFilter, IssueState, Severity};
use crate::store::ScannedFinding;

/// How many open issues a saved workflow matches now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MatchCount {
    pub workflow_id: String,
    #[ts(type = "number")]
    pub matched: u64,
}

/// Where a finding comes in the issue table's order (`TABLE_ORDER` in store/issues.rs): most
/// severe first, then most recently seen, then by id. Smaller comes first.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct TableKey {
    rank: Reverse<i64>,
    last_seen: Reverse<String>,
    id: String,
}

impl TableKey {
    fn of(finding: &ScannedFinding<'_>) -> Self {
        TableKey {
            rank: Reverse(finding.severity.rank()),
            last_seen: Reverse(finding.last_seen.to_string()),
            id: finding.id.to_string(),
        }
    }

    /// The same key, borrowed: compared without copying.
    fn of_borrowed<'a>(finding: &ScannedFinding<'a>) -> (Reverse<i64>, Reverse<&'a str>, &'a str) {
        (
            Reverse(finding.severity.rank()),
            Reverse(finding.last_seen),
            finding.id,
        )
    }

    fn borrowed(&self) -> (Reverse<i64>, Reverse<&str>, &str) {
        (
            self.rank,
            Reverse(self.last_seen.0.as_str()),
            self.id.as_str(),
        )
    }
}

impl Workflows<'_> {
    /// How many open issues each saved workflow matches now (the issues it would act on if
    /// they changed, or, for workflows that cover existing issues, now): every workflow in one
    /// scan of the issues, each finding read once.
    pub fn match_counts(&self) -> Result<Vec<MatchCount>> {
        let workflows = self.list()?;
        let compiled: Vec<_> = workflows
            .iter()
            .map(|w| {
                let changes = Self::changes_for(w.definition.apply_to);
                (w.definition.conditions.compile(), changes)
            })
            .collect();
        let with_text = workflows
            .iter()
            .any(|w| !w.definition.conditions.text.trim().is_empty());
        let mut counts = vec![0u64; workflows.len()];
        self.core.store.scan_open_findings(with_text, |finding| {
            for ((conditions, changes), count) in compiled.iter().zip(counts.iter_mut()) {
                if (changes.is_empty() || changes.contains(&finding.change))
                    && conditions.matches(
                        finding.severity,
                        finding.tool,
                        finding.rule_id,
                        finding.path,
                        [finding.title, finding.description],
                    )
                {
                    *count += 1;
                }
            }
        })?;
        Ok(workflows
            .into_iter()
            .zip(counts)
            .map(|(w, matched)| MatchCount {
                workflow_id: w.id,
                matched,
            })
            .collect())
    }

    /// The open findings `definition` matches (with `changes`, only those whose latest change
    /// is one of them), in the table's order, as rows to read: SQL narrows, the conditions
    /// decide on the few columns they look at.
    pub(super) fn matching_rowids(
        &self,
        definition: &WorkflowDefinition,
        changes: &[Change],
    ) -> Result<Vec<i64>> {
        let mut rowids = Vec::new();
        self.for_each_match(definition, changes, true, |rowid, _| rowids.push(rowid))?;
        Ok(rowids)
    }

    /// Lends `each` the row of every open finding `definition` matches (if `ordered`, in the
    /// table's order), without copying any of them.
    fn for_each_match(
        &self,
        definition: &WorkflowDefinition,
        changes: &[Change],
        ordered: bool,
        mut each: impl FnMut(i64, &ScannedFinding<'_>),
    ) -> Result<()> {
        let conditions = &definition.conditions;
        let filter = Self::open_filter(conditions, changes);
        let compiled = conditions.compile();
        self.core.store.for_each_candidate(
            &filter,
            &conditions.narrowing(),
            ordered,
            |rowid, finding| {
                if compiled.matches(
                    finding.severity,
                    finding.tool,
                    finding.rule_id,
                    finding.path,
                    [finding.title, finding.description],
                ) {
                    each(rowid, &finding);
                }
            },
        )?;
        Ok(())
    }

    /// How many open findings `definition` matches, and the first `first` of them whole (a dry
    /// run lists those). Conditions on severity alone are a page of the issue table.
    pub(super) fn matching_count_and_first(
        &self,
        definition: &WorkflowDefinition,
        changes: &[Change],
        first: usize,
    ) -> Result<(u64, Vec<Issue>)> {
        let conditions = &definition.conditions;
        if conditions.severity_only() {
            let filter = Self::open_filter(conditions, changes);
            let page = self.core.store.issues_page(&filter, 0, first as u64)?;
            return Ok((page.total, page.issues));
        }
        // Counted in one pass over the table as it lies, keeping the `first` that come first in
        // the table's order (a heap whose top is the last of those kept).
        let mut count = 0u64;
        let mut kept: BinaryHeap<(TableKey, i64)> = BinaryHeap::with_capacity(first + 1);
        self.for_each_match(definition, changes, false, |rowid, finding| {
            count += 1;
            let earlier = kept.len() < first
                || kept
                    .peek()
                    .is_some_and(|(last, _)| TableKey::of_borrowed(finding) < last.borrowed());
            if earlier {
                kept.push((TableKey::of(finding), rowid));
                if kept.len() > first {
                    kept.pop();
                }
            }
        })?;
        let listed: Vec<i64> = kept
            .into_sorted_vec()
            .into_iter()
            .map(|(_, rowid)| rowid)
            .collect();
        Ok((count, self.core.store.issues_by_rowid(&listed)?))
    }

    /// The open findings of the conditions' severities (with `changes`, only those whose
    /// latest change is one of them).
    fn open_filter(conditions: &Conditions, changes: &[Change]) -> IssueFilter {
        IssueFilter {
            severities: conditions
                .min_severity
                .map(|min| Severity::ALL.into_iter().filter(|s| *s >= min).collect())
                .unwrap_or_default(),
            changes: changes.to_vec(),
            // Fixed and suppressed findings are not messaged about.
            states: vec![IssueState::Open],
            ..IssueFilter::default()
        }
    }

    pub(super) fn matching_issues(
        &self,
        definition: &WorkflowDefinition,
        changes: &[Change],
    ) -> Result<Vec<Issue>> {
        let rowids = self.matching_rowids(definition, changes)?;
        Ok(self.core.store.issues_by_rowid(&rowids)?)
    }

    pub(super) fn changes_for(apply_to: ApplyTo) -> &'static [Change] {
        match apply_to {
            // A reopened finding is a changed one.
            ApplyTo::UpdatedIssues => &[Change::Updated, Change::Reopened],
            ApplyTo::NewOrUpdatedIssues => &[Change::New, Change::Updated, Change::Reopened],
            ApplyTo::NewUpdatedOrExistingIssues | ApplyTo::Periodic => &[],
        }
    }
}
