//! Dry runs: for the current issues, who a workflow would message, who already has it, and
//! what its quiet hours would hold; nothing is sent.

use serde::Serialize;
use ts_rs::TS;

use super::{ApplyTo, WorkflowDefinition, WorkflowError, Workflows};
use crate::Result;
use crate::issues::Severity;
use crate::mentions::Mention;
use crate::outbox::Recipient;
use crate::owners::{FindingOwners, address};

/// Issues a dry run lists one by one.
const DRY_RUN_ITEMS: usize = 200;

/// For the current issues: who would get what, without sending anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DryRun {
    #[ts(type = "number")]
    pub matched: u64,
    pub items: Vec<DryRunItem>,
    /// Periodic workflows: what the next digest would say, and when.
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DryRunItem {
    pub issue_id: String,
    pub title: String,
    pub severity: Severity,
    /// Who would get a message about it now.
    pub recipients: Vec<String>,
    /// Who already got this revision from this workflow.
    pub already_sent: Vec<String>,
    /// Quiet hours: it would wait for the digest at their end ("08:00 Europe/Paris").
    pub held_until: Option<String>,
    /// The owners of its file and where they reach, when the workflow routes by owners.
    pub owners: Option<FindingOwners>,
    /// Who it would @mention in channel posts.
    pub mentions: Vec<String>,
    /// Why some recipients get it ("Instead of the owners: @acme/payments has no Teams mapping.").
    pub notes: Vec<String>,
}

impl Workflows<'_> {
    /// For the current issues, who would get what; nothing is sent.
    pub fn dry_run(&self, definition: &WorkflowDefinition, id: Option<&str>) -> Result<DryRun> {
        let problems = definition.problems();
        if !problems.is_empty() {
            return Err(WorkflowError::Invalid(problems).into());
        }
        // Counted whole; only the findings listed are read whole.
        let changes = Self::changes_for(definition.apply_to);
        let (matched, issues) =
            self.matching_count_and_first(definition, changes, DRY_RUN_ITEMS)?;
        if definition.apply_to == ApplyTo::Periodic {
            let recipients = super::engine::unique(&definition.recipients);
            let when = definition
                .schedule
                .as_ref()
                .map(|s| {
                    s.next_after(self.core.clock.now())
                        .format("%Y-%m-%d %H:%M UTC")
                        .to_string()
                })
                .unwrap_or_default();
            let labels: Vec<String> = recipients.iter().map(Recipient::label).collect();
            return Ok(DryRun {
                matched,
                items: Vec::new(),
                digest: Some(if matched == 0 {
                    format!("Nothing matches now, so no digest would go out at {when}.")
                } else {
                    format!(
                        "At {when}, {} would each get one digest of {} issues.",
                        labels.join(", "),
                        matched
                    )
                }),
            });
        }
        let now = self.core.clock.now();
        let quiet = definition
            .quiet_hours
            .as_ref()
            .and_then(|quiet| quiet.until(now).map(|until| (quiet, until)));
        let routing = definition.routing();
        let resolver = self.owner_resolver(definition)?;
        let mut items = Vec::new();
        for issue in &issues {
            let addressed = address(&routing, issue.path.as_deref(), resolver.as_ref());
            let mut item = DryRunItem {
                issue_id: issue.id.clone(),
                title: issue.title.clone(),
                severity: issue.severity,
                recipients: Vec::new(),
                already_sent: Vec::new(),
                held_until: quiet
                    .filter(|(quiet, _)| quiet.holds(issue.severity))
                    .map(|(quiet, until)| quiet.describe(until, now)),
                mentions: addressed.mentions.iter().map(Mention::label).collect(),
                notes: addressed
                    .owners
                    .as_ref()
                    .filter(|_| definition.owners.message)
                    .and_then(FindingOwners::fallback_note)
                    .into_iter()
                    .collect(),
                owners: addressed.owners,
            };
            for recipient in &addressed.recipients {
                let sent = self.already_sent(id, issue, recipient)?;
                if sent {
                    item.already_sent.push(recipient.label());
                } else {
                    item.recipients.push(recipient.label());
                }
            }
            items.push(item);
        }
        Ok(DryRun {
            matched,
            items,
            digest: None,
        })
    }
}
