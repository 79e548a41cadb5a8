//! Running workflows: after each import, when a workflow that also covers existing issues is
//! saved, on schedule (digests), and when a recipient cannot be reached (fallback). Queueing only
//! touches SQLite; the outbox's dispatcher sends.

use super::Workflows;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::{ApplyTo, Workflow, WorkflowDefinition, WorkflowError, WorkflowRun};
use crate::compose::{Context, compose, digest, follow_up};
use crate::issues::{ImportReport, Issue, IssueEventKind, IssueState};
use crate::links::workflow_link;
use crate::outbox::Recipient;
use crate::outbox::{
    Card, DIGEST_PREFIX, Follow, NewMessage, Origin, Purpose, QUEUE_BATCH, card_budget,
};
use crate::owners::{Resolver, address};
use crate::store::{DeliveryRow, QuietHeld, RunRow, WorkflowRow};
use crate::{Error, Result};

/// A person saving a workflow that would queue more messages than this at once is asked first.
pub const CONFIRM_ABOVE: usize = 200;

pub(super) fn unique(recipients: &[Recipient]) -> Vec<Recipient> {
    let mut seen = HashSet::new();
    recipients
        .iter()
        .filter(|r| seen.insert(r.key()))
        .cloned()
        .collect()
}

impl Workflows<'_> {
    fn workflow_of(&self, row: WorkflowRow) -> Result<Workflow> {
        let definition: WorkflowDefinition = serde_json::from_str(&row.definition)
            .map_err(|e| WorkflowError::BadFile(format!("the stored workflow is damaged: {e}")))?;
        Ok(Workflow {
            id: row.id,
            definition,
            created_at: row.created_at,
            updated_at: row.updated_at,
            next_run_at: row.next_run_at,
        })
    }

    /// Reads a workflow file (`ox-teams-cli workflows add FILE.json`): the definition's JSON, where
    /// recipients may also be written as `channel:TEAM/CHANNEL`, `user:NAME@DOMAIN` or `chat:ID`.
    pub async fn from_json(self, text: &str) -> Result<WorkflowDefinition> {
        let mut value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| WorkflowError::BadFile(e.to_string()))?;
        for field in ["recipients", "fallback"] {
            let Some(list) = value.get_mut(field).and_then(|v| v.as_array_mut()) else {
                continue;
            };
            for item in list.iter_mut() {
                if let Some(spec) = item.as_str() {
                    let recipient = self.core.directory().resolve_recipient(spec).await?;
                    *item = serde_json::to_value(recipient).expect("recipients serialise");
                }
            }
        }
        serde_path_to_error::deserialize(value)
            .map_err(|e| WorkflowError::BadFile(format!("at {}: {}", e.path(), e.inner())).into())
    }

    /// Every workflow, by name.
    pub fn list(&self) -> Result<Vec<Workflow>> {
        self.core
            .store
            .workflows()?
            .into_iter()
            .map(|row| self.workflow_of(row))
            .collect()
    }

    pub fn get(&self, id: &str) -> Result<Workflow> {
        let row = self
            .core
            .store
            .workflow(id)?
            .ok_or_else(|| WorkflowError::UnknownWorkflow { id: id.into() })?;
        self.workflow_of(row)
    }

    /// Creates (`id` = `None`) or replaces a workflow. A workflow for new, updated or existing
    /// issues acts on the existing ones at once; a periodic one gets its first due time.
    pub fn save(
        &self,
        id: Option<&str>,
        definition: WorkflowDefinition,
    ) -> Result<(Workflow, Option<WorkflowRun>)> {
        self.save_as_asked(id, definition, true)
    }

    /// As [`save`](Self::save), for a person saving in the window or the CLI: when the save
    /// would queue more than [`CONFIRM_ABOVE`] messages at once, nothing is saved until the
    /// person confirms (`confirmed`), so a too-wide condition cannot flood a channel.
    pub fn save_as_asked(
        &self,
        id: Option<&str>,
        definition: WorkflowDefinition,
        confirmed: bool,
    ) -> Result<(Workflow, Option<WorkflowRun>)> {
        let problems = definition.problems();
        if !problems.is_empty() {
            return Err(WorkflowError::Invalid(problems).into());
        }
        if !confirmed {
            self.refuse_a_flood(id, &definition)?;
        }
        let now = self.core.clock.now();
        let previous = match id {
            Some(id) => Some(self.get(id)?),
            None => None,
        };
        let next_run_at = match (&definition.apply_to, &definition.schedule) {
            (ApplyTo::Periodic, Some(schedule)) => Some(schedule.next_after(now)),
            _ => None,
        };
        let row = WorkflowRow {
            id: id.map_or_else(|| self.core.new_id(), str::to_string),
            name: definition.name.trim().to_string(),
            enabled: definition.enabled,
            definition: serde_json::to_string(&WorkflowDefinition {
                name: definition.name.trim().to_string(),
                ..definition.clone()
            })
            .expect("definitions serialise"),
            created_at: previous.as_ref().map_or(now, |p| p.created_at),
            updated_at: now,
            next_run_at,
        };
        self.core.store.save_workflow(&row)?;
        log::info!("saved workflow {} ({})", row.id, row.name);
        let workflow = self.workflow_of(row)?;
        let run = if workflow.definition.enabled
            && workflow.definition.apply_to == ApplyTo::NewUpdatedOrExistingIssues
        {
            let issues = self.matching_issues(&workflow.definition, &[])?;
            Some(self.queue_for_issues(&workflow, &issues, "saved")?)
        } else {
            None
        };
        Ok((workflow, run))
    }

    /// Turns a workflow on or off; turning on asks as [`save_as_asked`](Self::save_as_asked).
    pub fn set_enabled(
        &self,
        id: &str,
        enabled: bool,
        confirmed: bool,
    ) -> Result<(Workflow, Option<WorkflowRun>)> {
        let workflow = self.get(id)?;
        self.save_as_asked(
            Some(id),
            WorkflowDefinition {
                enabled,
                ..workflow.definition
            },
            confirmed,
        )
    }

    /// Whether the saved workflow `id` (none yet: `None`) already sent this revision there, on
    /// its own or in the digest at the end of quiet hours.
    pub(super) fn already_sent(
        &self,
        id: Option<&str>,
        issue: &Issue,
        recipient: &Recipient,
    ) -> Result<bool> {
        Ok(match id {
            Some(id) => {
                self.core
                    .store
                    .workflow_sent(id, &issue.id, issue.revision, &recipient.key())?
                    || self.core.store.quiet_held(id, &issue.id, issue.revision)?
                        == Some(QuietHeld::Released)
            }
            None => false,
        })
    }

    /// The owner resolver for a run, when the workflow routes by owners.
    pub(super) fn owner_resolver(
        &self,
        definition: &WorkflowDefinition,
    ) -> Result<Option<Resolver>> {
        if !definition.owners.is_used() {
            return Ok(None);
        }
        self.core.owners().resolver().map(Some)
    }

    /// Refuses, with the figures, a save that would queue more than [`CONFIRM_ABOVE`]
    /// messages right away (existing issues × recipients that have not had them).
    fn refuse_a_flood(&self, id: Option<&str>, definition: &WorkflowDefinition) -> Result<()> {
        if !definition.enabled || definition.apply_to != ApplyTo::NewUpdatedOrExistingIssues {
            return Ok(());
        }
        let issues = self.matching_issues(definition, &[])?;
        let (routing, resolver) = (definition.routing(), self.owner_resolver(definition)?);
        // Each finding's places: the recipients, and its owners (or the fallback) when used.
        let places: Vec<Vec<Recipient>> = issues
            .iter()
            .map(|issue| address(&routing, issue.path.as_deref(), resolver.as_ref()).recipients)
            .collect();
        if places.iter().map(Vec::len).sum::<usize>() <= CONFIRM_ABOVE {
            return Ok(());
        }
        let mut messages = 0;
        for (issue, places) in issues.iter().zip(&places) {
            for recipient in places {
                let sent = self.already_sent(id, issue, recipient)?;
                messages += usize::from(!sent);
            }
        }
        if messages > CONFIRM_ABOVE {
            let distinct: HashSet<String> = places.iter().flatten().map(Recipient::key).collect();
            return Err(WorkflowError::ConfirmationNeeded {
                messages,
                issues: issues.len(),
                recipients: distinct.len(),
            }
            .into());
        }
        Ok(())
    }

    pub fn delete(&self, id: &str) -> Result<()> {
        if !self.core.store.delete_workflow(id)? {
            return Err(WorkflowError::UnknownWorkflow { id: id.into() }.into());
        }
        log::info!("deleted workflow {id}");
        Ok(())
    }

    /// The workflow's runs, newest first.
    pub fn history(&self, id: &str, limit: u32) -> Result<Vec<WorkflowRun>> {
        Ok(self
            .core
            .store
            .workflow_runs(id, i64::from(limit))?
            .into_iter()
            .map(|r| WorkflowRun {
                id: r.id,
                workflow_id: r.workflow_id,
                started_at: r.started_at,
                trigger: r.trigger,
                matched: r.matched,
                queued: r.queued,
                skipped: r.skipped,
                summary: r.summary,
            })
            .collect())
    }

    /// The current issues that match, most severe first. `changes` narrows them to what the
    /// last import did (empty: all).
    /// Queues one message per issue for the recipients that have not had this revision yet.
    fn queue_for_issues(
        &self,
        workflow: &Workflow,
        issues: &[Issue],
        trigger: &str,
    ) -> Result<WorkflowRun> {
        let definition = &workflow.definition;
        let routing = definition.routing();
        let resolver = self.owner_resolver(definition)?;
        let link = workflow_link(&workflow.id);
        let (mut queued, mut skipped) = (0, 0);
        let mut to_fallback = 0;
        let follow = definition.on_change.follow();
        let now = self.core.clock.now();
        let quiet = definition
            .quiet_hours
            .as_ref()
            .and_then(|quiet| quiet.until(now).map(|until| (quiet, until)));
        let mut held = 0;
        let context = Context {
            comment: &definition.comment,
            author: None,
            workflow_link: Some((&definition.name, &link)),
        };
        let context = &context;
        // Queued a batch at a time; `batch` holds each queued message's recipients and
        // whether it went to fallbacks, to tally what the batch queued.
        let mut messages = Vec::new();
        let mut batch: Vec<(usize, bool)> = Vec::new();
        // Recipients a digest already told when the quiet hours ended.
        let mut released = 0;
        let mut queue =
            |messages: Vec<NewMessage<'_>>, batch: &mut Vec<(usize, bool)>| -> Result<()> {
                let enqueued = self.core.outbox().enqueue_all(messages)?;
                for (fresh, (recipients, unreachable_owner)) in
                    enqueued.iter().map(|e| e.deliveries).zip(batch.drain(..))
                {
                    queued += fresh;
                    skipped += recipients - fresh;
                    to_fallback += usize::from(unreachable_owner && fresh > 0);
                }
                Ok(())
            };
        for issue in issues {
            let addressed = address(&routing, issue.path.as_deref(), resolver.as_ref());
            let recipients = addressed.recipients;
            let unreachable_owner = addressed
                .owners
                .as_ref()
                .is_some_and(|o| definition.owners.message && !o.unresolved.is_empty());
            let held_before =
                self.core
                    .store
                    .quiet_held(&workflow.id, &issue.id, issue.revision)?;
            if held_before == Some(QuietHeld::Released) {
                released += recipients.len();
                continue;
            }
            if let Some((quiet, until)) = quiet
                && quiet.holds(issue.severity)
            {
                self.core.store.hold_quietly(
                    &workflow.id,
                    &issue.id,
                    issue.revision,
                    now,
                    until,
                )?;
                held += 1;
                continue;
            }
            // Held, and the quiet hours just ended (or were turned off): the digest carries it.
            if held_before == Some(QuietHeld::Waiting) {
                held += 1;
                continue;
            }
            let changes = self.latest_changes(issue, follow)?;
            batch.push((recipients.len(), unreachable_owner));
            messages.push(NewMessage {
                issue_id: issue.id.clone(),
                issue_revision: issue.revision,
                title: issue.title.clone(),
                comment: definition.comment.clone(),
                card: Card::Compose(Box::new(move |budget| compose(issue, context, budget))),
                reply: changes.map(|changes| -> Card<'_> {
                    Card::Compose(Box::new(move |budget| {
                        follow_up(issue, &changes, context, budget)
                    }))
                }),
                follow,
                purpose: Purpose::Revision,
                sender: definition.identity,
                origin: Origin::Workflow {
                    workflow_id: workflow.id.clone(),
                },
                recipients: recipients.clone(),
                mentions: addressed.mentions,
                notes: addressed.notes,
            });
            if messages.len() == QUEUE_BATCH {
                queue(std::mem::take(&mut messages), &mut batch)?;
            }
        }
        queue(messages, &mut batch)?;
        skipped += released;
        let mut summary = format!(
            "{} matching issue{}: {queued} message{} queued, {skipped} already sent.",
            issues.len(),
            if issues.len() == 1 { "" } else { "s" },
            if queued == 1 { "" } else { "s" },
        );
        if to_fallback > 0 {
            summary.push_str(&format!(
                " {to_fallback} had an owner Teams cannot reach: the fallback recipients got {}.",
                if to_fallback == 1 { "it" } else { "them" }
            ));
        }
        match quiet {
            Some((quiet, until)) if held > 0 => summary.push_str(&format!(
                " {held} held for quiet hours, until {}.",
                quiet.describe(until, now)
            )),
            None if held > 0 => summary.push_str(&format!(
                " {held} held for quiet hours go out in their digest."
            )),
            _ => {}
        }
        self.record(workflow, trigger, issues.len(), queued, skipped, summary)
    }

    /// What the finding's latest history step changed, for the reply that follows its first
    /// message. `None` when the workflow does not follow first messages, or when the finding did
    /// not change (a workflow that also covers existing findings): the reply is then the card.
    fn latest_changes(&self, issue: &Issue, follow: Follow) -> Result<Option<Vec<String>>> {
        if follow == Follow::New {
            return Ok(None);
        }
        Ok(self
            .core
            .store
            .issue_events(&issue.id)?
            .pop()
            .filter(|event| {
                event.revision == issue.revision
                    && matches!(
                        event.kind,
                        IssueEventKind::Updated | IssueEventKind::Reopened
                    )
            })
            .map(|event| event.changes))
    }

    /// Findings an import fixed: each workflow that announces fixes tells the places where it
    /// (or a person) already messaged about them, once per revision.
    fn announce_fixes(&self, workflow: &Workflow, fixed: &[String]) -> Result<Option<WorkflowRun>> {
        let definition = &workflow.definition;
        let routing = definition.routing();
        let resolver = self.owner_resolver(definition)?;
        let link = workflow_link(&workflow.id);
        let context = Context {
            comment: "",
            author: None,
            workflow_link: Some((&definition.name, &link)),
        };
        let (mut matched, mut queued) = (0, 0);
        let conditions = definition.conditions.compile();
        for id in fixed {
            let Some(issue) = self.core.store.issue(id)? else {
                continue;
            };
            if issue.state != IssueState::Fixed || !conditions.matches_issue(&issue) {
                continue;
            }
            let anchored = self.core.store.anchored_places(id, definition.identity)?;
            // The owners' places too: they were messaged about it.
            let places: Vec<Recipient> =
                address(&routing, issue.path.as_deref(), resolver.as_ref())
                    .recipients
                    .into_iter()
                    .filter(|r| anchored.contains(&r.key()))
                    .collect();
            if places.is_empty() {
                continue;
            }
            matched += 1;
            let issue = &issue;
            queued += self
                .core
                .outbox()
                .enqueue(NewMessage {
                    issue_id: issue.id.clone(),
                    issue_revision: issue.revision,
                    title: issue.title.clone(),
                    comment: String::new(),
                    card: Card::Compose(Box::new(|budget| compose(issue, &context, budget))),
                    reply: Some(Card::Compose(Box::new(|budget| {
                        follow_up(issue, &[], &context, budget)
                    }))),
                    follow: definition.on_change.follow(),
                    purpose: Purpose::Fixed,
                    sender: definition.identity,
                    origin: Origin::Workflow {
                        workflow_id: workflow.id.clone(),
                    },
                    recipients: places,
                    mentions: Vec::new(),
                    notes: Default::default(),
                })?
                .deliveries;
        }
        if matched == 0 {
            return Ok(None);
        }
        let summary = format!(
            "{matched} fixed finding{} announced: {queued} message{} queued.",
            if matched == 1 { "" } else { "s" },
            if queued == 1 { "" } else { "s" },
        );
        self.record(workflow, "fixed", matched, queued, 0, summary)
            .map(Some)
    }

    pub(super) fn record(
        &self,
        workflow: &Workflow,
        trigger: &str,
        matched: usize,
        queued: usize,
        skipped: usize,
        summary: String,
    ) -> Result<WorkflowRun> {
        let run = RunRow {
            id: self.core.new_id(),
            workflow_id: workflow.id.clone(),
            started_at: self.core.clock.now(),
            trigger: trigger.into(),
            matched: matched as i64,
            queued: queued as i64,
            skipped: skipped as i64,
            summary,
        };
        self.core.store.record_run(&run)?;
        log::info!("workflow {} ({trigger}): {}", workflow.id, run.summary);
        Ok(WorkflowRun {
            id: run.id,
            workflow_id: run.workflow_id,
            started_at: run.started_at,
            trigger: run.trigger,
            matched: run.matched,
            queued: run.queued,
            skipped: run.skipped,
            summary: run.summary,
        })
    }

    /// Queues one digest card of `issues` for each of the workflow's recipients. `key` names
    /// the digest (a schedule slot, the end of quiet hours): queueing the same key again finds
    /// it sent. Returns the deliveries queued.
    pub(super) fn queue_digest(
        &self,
        workflow: &Workflow,
        key: &str,
        comment: &str,
        issues: &[Issue],
    ) -> Result<usize> {
        let definition = &workflow.definition;
        let link = workflow_link(&workflow.id);
        // Composed once: its summary is also the message's title.
        let composition = digest(
            &definition.name,
            &link,
            comment,
            issues,
            issues.len(),
            card_budget(definition.identity),
        );
        Ok(self
            .core
            .outbox()
            .enqueue(NewMessage {
                issue_id: format!("{DIGEST_PREFIX}{key}"),
                issue_revision: 0,
                title: composition.summary.clone(),
                comment: comment.to_string(),
                card: Card::Composed {
                    card: composition.card.to_string(),
                    summary: composition.summary,
                },
                reply: None,
                follow: Follow::New,
                purpose: Purpose::Revision,
                sender: definition.identity,
                origin: Origin::Workflow {
                    workflow_id: workflow.id.clone(),
                },
                recipients: unique(&definition.recipients),
                mentions: Vec::new(),
                notes: Default::default(),
            })?
            .deliveries)
    }

    /// After an import: each enabled workflow acts on the issues the import found new, updated
    /// or (for workflows that cover them) existing.
    pub fn run_after_import(&self, report: &ImportReport) -> Result<Vec<WorkflowRun>> {
        let (mut new, mut updated, mut existing, mut fixed) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for file in &report.files {
            if let crate::issues::FileImport::Imported {
                new: n,
                updated: u,
                existing: e,
                reopened: r,
                fixed: f,
                ..
            } = file
            {
                fixed.extend(f.iter().cloned());
                new.extend(n.iter().cloned());
                // A reopened finding is a changed one.
                updated.extend(u.iter().chain(r).cloned());
                existing.extend(e.iter().cloned());
            }
        }
        let mut runs = Vec::new();
        // Each issue is read once, however many workflows look at it.
        let mut read: HashMap<String, Option<Issue>> = HashMap::new();
        for workflow in self.list()? {
            if !workflow.definition.enabled {
                continue;
            }
            let conditions = workflow.definition.conditions.compile();
            let ids: Vec<&String> = match workflow.definition.apply_to {
                ApplyTo::Periodic => continue,
                ApplyTo::UpdatedIssues => updated.iter().collect(),
                ApplyTo::NewOrUpdatedIssues => new.iter().chain(&updated).collect(),
                ApplyTo::NewUpdatedOrExistingIssues => {
                    new.iter().chain(&updated).chain(&existing).collect()
                }
            };
            let mut seen = HashSet::new();
            let mut issues = Vec::new();
            for id in ids {
                if !seen.insert(id) {
                    continue;
                }
                let issue = match read.entry(id.clone()) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(unknown) => unknown.insert(self.core.store.issue(id)?),
                };
                if let Some(issue) = issue
                    && issue.state == IssueState::Open
                    && conditions.matches_issue(issue)
                {
                    issues.push(issue.clone());
                }
            }
            if !issues.is_empty() {
                runs.push(self.queue_for_issues(&workflow, &issues, "import")?);
            }
            if workflow.definition.announce_fixes
                && !fixed.is_empty()
                && let Some(run) = self.announce_fixes(&workflow, &fixed)?
            {
                runs.push(run);
            }
        }
        Ok(runs)
    }

    /// Periodic workflows whose time has come send one digest per recipient; a digest missed
    /// while nothing ran is sent once, not once per missed slot.
    pub fn run_due(&self) -> Result<Vec<WorkflowRun>> {
        let now = self.core.clock.now();
        let mut runs = self.end_quiet_hours()?;
        for workflow in self.list()? {
            let definition = &workflow.definition;
            let (true, ApplyTo::Periodic, Some(schedule)) = (
                definition.enabled,
                definition.apply_to,
                &definition.schedule,
            ) else {
                continue;
            };
            let Some(slot) = workflow.next_run_at else {
                self.core
                    .store
                    .set_next_run(&workflow.id, Some(schedule.next_after(now)))?;
                continue;
            };
            if slot > now {
                continue;
            }
            let mut issues = self.matching_issues(definition, &[])?;
            if definition.skip_acknowledged {
                issues.retain(|issue| issue.acknowledged_at.is_none());
            }
            let recipients = unique(&definition.recipients);
            let mut queued = 0;
            if !issues.is_empty() {
                // One digest per slot: a second run of the same slot finds it sent.
                let key = slot.to_rfc3339();
                queued = self.queue_digest(&workflow, &key, &definition.comment, &issues)?;
            }
            self.core
                .store
                .set_next_run(&workflow.id, Some(schedule.next_after(now)))?;
            let summary = if issues.is_empty() {
                "Nothing matched, so no digest was sent.".to_string()
            } else {
                format!(
                    "A digest of {} issues to {} recipient{}.",
                    issues.len(),
                    queued,
                    if queued == 1 { "" } else { "s" }
                )
            };
            runs.push(self.record(
                &workflow,
                "schedule",
                issues.len(),
                queued,
                if issues.is_empty() {
                    0
                } else {
                    recipients.len() - queued
                },
                summary,
            )?);
        }
        Ok(runs)
    }

    /// A workflow's delivery failed for good: its fallback recipients get the same message
    /// (once per issue revision). Returns their names, for the failed delivery's reason.
    pub(crate) fn fall_back(&self, row: &DeliveryRow, reason: &str) -> Result<Vec<String>> {
        let Origin::Workflow { workflow_id } = &row.origin else {
            return Ok(Vec::new());
        };
        let workflow = match self.get(workflow_id) {
            Ok(workflow) => workflow,
            Err(Error::Workflow(WorkflowError::UnknownWorkflow { .. })) => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let fallback: Vec<Recipient> = unique(&workflow.definition.fallback)
            .into_iter()
            .filter(|r| r.key() != row.recipient_key)
            .collect();
        if fallback.is_empty() {
            return Ok(Vec::new());
        }
        let queued = self
            .core
            .outbox()
            .enqueue(NewMessage {
                issue_id: row.issue_id.clone(),
                issue_revision: row.issue_revision,
                title: row.issue_title.clone(),
                comment: row.comment.clone(),
                card: Card::Composed {
                    card: row.card.clone(),
                    summary: row.summary.clone(),
                },
                reply: row
                    .reply
                    .clone()
                    .map(|(card, summary)| Card::Composed { card, summary }),
                follow: row.follow,
                purpose: row.purpose,
                sender: row.sender.identity,
                origin: Origin::Workflow {
                    workflow_id: workflow.id.clone(),
                },
                recipients: fallback.clone(),
                mentions: row.mentions.clone(),
                notes: fallback
                    .iter()
                    .map(|r| (r.key(), format!("Instead of {}: {reason}", row.label)))
                    .collect(),
            })?
            .deliveries;
        let names: Vec<String> = fallback.iter().map(Recipient::label).collect();
        self.record(
            &workflow,
            "fallback",
            1,
            queued,
            fallback.len() - queued,
            format!(
                "{} could not be reached ({reason}) — sent to {} instead.",
                row.label,
                names.join(", ")
            ),
        )?;
        Ok(names)
    }
}
