//! Owner routing: from a finding's file to the Teams places of its owners. GitHub users and
//! teams reach Teams through mappings a person sets; e-mail owners through the directory,
//! looked up ahead of time ([`Owners::look_up_addresses`]) because workflows run inside an
//! import and cannot wait for Graph. An owner that cannot be reached is said, in a sentence,
//! so that its message goes to the fallback recipients with the reason.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::location::{Loaded, OwnersLocation};
use super::{CodeOwners, Owner, Rule, relative_path};
use crate::error::AppError;
use crate::mentions::Mention;
use crate::outbox::Recipient;
use crate::store::{DirectoryAnswer, OwnerMappingRow, owner_key};
use crate::{Core, Error, Result};

/// Owner routing: the CODEOWNERS location, mappings and directory answers. A view of the core
/// ([`crate::Core::owners`]).
#[derive(Clone, Copy)]
pub struct Owners<'a> {
    pub(crate) core: &'a Core,
}

/// What a workflow or a send does with the owners of a finding's file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OwnerRouting {
    /// Send the message to the owners too (their chats or channels).
    #[serde(default)]
    pub message: bool,
    /// @mention the owners who are people in the channel posts.
    #[serde(default)]
    pub mention: bool,
}

impl OwnerRouting {
    pub fn is_used(self) -> bool {
        self.message || self.mention
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OwnerKind {
    GithubUser,
    GithubTeam,
    Email,
}

/// An owner the CODEOWNERS file names, and where it reaches in Teams.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OwnerEntry {
    /// As the file writes it: `@acme/payments`, `@octocat`, `megan@contoso.com`.
    pub owner: String,
    pub kind: OwnerKind,
    /// The lines that name it.
    pub lines: Vec<u32>,
    /// Where its messages go; `None`: nowhere yet, they go to the fallback recipients.
    pub recipient: Option<Recipient>,
    /// A mapping set in the app decides (rather than the directory).
    pub mapped: bool,
    /// In words: "No Teams mapping", "Megan Bowen, found in the directory".
    pub status: String,
}

/// A line of CODEOWNERS that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SkippedLine {
    pub line: u32,
    pub text: String,
    pub reason: String,
}

/// Everything the Owners page shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OwnersView {
    /// Where the person pointed the app.
    pub location: Option<OwnersLocation>,
    /// The CODEOWNERS file read there ("/src/shop/.github/CODEOWNERS", or
    /// "contoso/shop › .github/CODEOWNERS on GitHub").
    pub file: Option<String>,
    /// Through GitHub: when the copy in use was fetched.
    #[ts(type = "string | null")]
    pub fetched_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why it could not be read (or fetched again: the last copy is then still used).
    pub problem: Option<AppError>,
    pub skipped_lines: Vec<SkippedLine>,
    /// Each owner once, in the order the file names them.
    pub owners: Vec<OwnerEntry>,
    /// Mappings for owners the file no longer names (kept in case they return).
    pub unused_mappings: Vec<OwnerEntry>,
}

/// One owner of a finding's file that reaches Teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReachedOwner {
    pub owner: String,
    pub recipient: Recipient,
}

/// One owner that does not, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnresolvedOwner {
    /// Empty when no owner could be named at all (no file, no matching line).
    pub owner: String,
    pub reason: String,
}

/// Who owns a finding's file and where they reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FindingOwners {
    /// The path as CODEOWNERS sees it.
    pub path: Option<String>,
    /// The deciding line: "Line 4: /src/payments/ @acme/payments".
    pub rule: Option<String>,
    pub reached: Vec<ReachedOwner>,
    pub unresolved: Vec<UnresolvedOwner>,
}

impl FindingOwners {
    fn nobody(path: Option<String>, reason: String) -> FindingOwners {
        FindingOwners {
            path,
            rule: None,
            reached: Vec::new(),
            unresolved: vec![UnresolvedOwner {
                owner: String::new(),
                reason,
            }],
        }
    }

    /// The owners' places, each with the note its delivery carries.
    pub fn recipients(&self) -> Vec<(Recipient, String)> {
        let mut places: Vec<(Recipient, Vec<&str>)> = Vec::new();
        for reached in &self.reached {
            match places
                .iter_mut()
                .find(|(r, _)| r.key() == reached.recipient.key())
            {
                Some((_, owners)) => owners.push(&reached.owner),
                None => places.push((reached.recipient.clone(), vec![&reached.owner])),
            }
        }
        let path = self.path.as_deref().unwrap_or("the file");
        places
            .into_iter()
            .map(|(recipient, owners)| {
                let note = format!("Owner of {path} ({}).", owners.join(", "));
                (recipient, note)
            })
            .collect()
    }

    /// The owners who are people, as mentions.
    pub fn mentions(&self) -> Vec<Mention> {
        self.reached
            .iter()
            .filter_map(|r| match &r.recipient {
                Recipient::Person { user_id, name, .. } => Some(Mention::Person {
                    user_id: user_id.clone(),
                    name: name.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// Why the fallback recipients get the message: "@acme/payments has no Teams mapping."
    pub fn fallback_note(&self) -> Option<String> {
        if self.unresolved.is_empty() {
            return None;
        }
        let reasons: Vec<&str> = self.unresolved.iter().map(|u| u.reason.as_str()).collect();
        Some(format!("Fallback: {}", reasons.join(" ")))
    }
}

/// Everything needed to resolve owners without touching the disk or Graph again: the file,
/// the mappings and the directory's answers, read once per run.
pub struct Resolver {
    loaded: std::result::Result<Arc<Loaded>, String>,
    mappings: HashMap<String, OwnerMappingRow>,
    directory: HashMap<String, DirectoryAnswer>,
}

impl Resolver {
    /// The owners of a finding's file and where they reach.
    pub fn for_path(&self, path: Option<&str>) -> FindingOwners {
        let loaded = match &self.loaded {
            Ok(loaded) => loaded,
            Err(reason) => return FindingOwners::nobody(path.map(str::to_string), reason.clone()),
        };
        let Some(path) = path.filter(|p| !p.trim().is_empty()) else {
            return FindingOwners::nobody(
                None,
                "The finding names no file, so CODEOWNERS gives it no owners.".into(),
            );
        };
        let path = relative_path(path, loaded.repository.as_deref());
        let Some(rule) = loaded.codeowners.rule_for(&path) else {
            return FindingOwners::nobody(
                Some(path.clone()),
                format!("No line of CODEOWNERS matches {path}, so it has no owners."),
            );
        };
        let mut owners = FindingOwners {
            path: Some(path.clone()),
            rule: Some(rule_in_words(rule)),
            reached: Vec::new(),
            unresolved: Vec::new(),
        };
        if rule.owners.is_empty() {
            owners.unresolved.push(UnresolvedOwner {
                owner: String::new(),
                reason: format!(
                    "CODEOWNERS line {} leaves {path} without owners.",
                    rule.line
                ),
            });
        }
        for owner in &rule.owners {
            match self.place_of(owner) {
                Ok(recipient) => owners.reached.push(ReachedOwner {
                    owner: owner.written(),
                    recipient,
                }),
                Err(reason) => owners.unresolved.push(UnresolvedOwner {
                    owner: owner.written(),
                    reason,
                }),
            }
        }
        owners
    }

    /// Where an owner reaches: its mapping first (a person may override the directory), then
    /// the directory for an address.
    fn place_of(&self, owner: &Owner) -> std::result::Result<Recipient, String> {
        let written = owner.written();
        if let Some(mapping) = self.mappings.get(&owner_key(&written)) {
            return Ok(mapping.recipient.clone());
        }
        match owner {
            Owner::GithubUser(_) | Owner::GithubTeam(_) => {
                Err(format!("{written} has no Teams mapping."))
            }
            Owner::Email(address) => match self.directory.get(&owner_key(address)) {
                Some(DirectoryAnswer {
                    person: Some(person),
                    ..
                }) => Ok(person.clone()),
                Some(DirectoryAnswer { person: None, .. }) => Err(format!(
                    "{written} is not in your organisation's directory."
                )),
                None => Err(format!(
                    "{written} has not been looked up in the directory yet (open Owners and \
                     select LOOK UP ADDRESSES)."
                )),
            },
        }
    }
}

fn rule_in_words(rule: &Rule) -> String {
    let owners: Vec<String> = rule.owners.iter().map(Owner::written).collect();
    format!("Line {}: {} {}", rule.line, rule.pattern, owners.join(" "))
        .trim_end()
        .to_string()
}

impl Owners<'_> {
    /// A resolver for a run: a CODEOWNERS file that cannot be read becomes every finding's
    /// reason for going to the fallback recipients.
    pub fn resolver(&self) -> Result<Resolver> {
        let loaded = match self.load() {
            Ok(Some(loaded)) => Ok(loaded),
            Ok(None) => Err("No CODEOWNERS file is set up: choose one on the Owners page.".into()),
            Err(Error::Owners(e)) => Err(e.to_string()),
            Err(e) => return Err(e),
        };
        Ok(Resolver {
            loaded,
            mappings: self.core.store.owner_mappings()?,
            directory: self.core.store.owner_directory()?,
        })
    }

    /// The owners of one path (the Owners page's tester, the Send dialog).
    pub fn of_path(&self, path: Option<&str>) -> Result<FindingOwners> {
        Ok(self.resolver()?.for_path(path))
    }

    /// Maps a GitHub user or team (or an address) to a person or channel, or removes the
    /// mapping with `None`.
    pub fn map(&self, owner: &str, recipient: Option<&Recipient>) -> Result<()> {
        if let Some(recipient) = recipient
            && !matches!(
                recipient,
                Recipient::Person { .. } | Recipient::Channel { .. }
            )
        {
            return Err(crate::outbox::OutboxError::UnknownRecipient(format!(
                "An owner maps to a person or a channel, not to {}.",
                recipient.label()
            ))
            .into());
        }
        self.core
            .store
            .map_owner(owner, recipient, self.core.clock.now())?;
        Ok(())
    }

    /// Looks up in the directory each e-mail owner of the file not looked up in the last day
    /// (`all`: every one). Returns how many were looked up.
    pub async fn look_up_addresses(&self, all: bool) -> Result<usize> {
        let Some(loaded) = self.load()? else {
            return Ok(0);
        };
        let known = self.core.store.owner_directory()?;
        let now = self.core.clock.now();
        let mut looked_up = 0;
        for (owner, _) in distinct_owners(&loaded.codeowners) {
            let Owner::Email(address) = owner else {
                continue;
            };
            let fresh = known
                .get(&owner_key(&address))
                .is_some_and(|a| now - a.checked_at < chrono::Duration::days(1));
            if fresh && !all {
                continue;
            }
            let address = address.as_str();
            // A failure here (not connected, throttled) would fail the next address too: the
            // next round tries again.
            let found = self
                .core
                .auth()
                .as_user(|graph| async move { graph.user_by_address(address).await })
                .await?;
            let person = found.map(|user| Recipient::Person {
                name: user.display_name.unwrap_or_default(),
                mail: user.mail.or(user.user_principal_name).unwrap_or_default(),
                user_id: user.id,
            });
            self.core
                .store
                .save_directory_answer(address, person.as_ref(), now)?;
            looked_up += 1;
        }
        Ok(looked_up)
    }

    /// Keeps the owners current while the app runs: CODEOWNERS fetched through GitHub again
    /// every 15 minutes, and a file that gains an address, or an answer a day old, looked up
    /// within a minute. Failures (Teams not connected, GitHub unreachable) are kept for the
    /// Owners page or logged; the last good copy and answers stay in use.
    pub async fn keep_current(&self) {
        loop {
            if let Err(error) = self.refresh_if_due().await {
                log::info!("CODEOWNERS not fetched again: {error}");
            }
            if let Err(error) = self.look_up_addresses(false).await {
                log::debug!("owners' addresses not looked up: {error}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    }

    /// People in the directory whose name resembles a GitHub user or team: `@acme/payments`
    /// searches "payments", `@megan-bowen` "megan bowen" (then "megan").
    pub async fn suggestions(
        &self,
        owner: &str,
        freshness: crate::directory::Freshness,
    ) -> Result<Vec<crate::directory::Person>> {
        let name = owner.trim().trim_start_matches('@');
        let name = name.rsplit('/').next().unwrap_or(name);
        let words = name.replace(['-', '_', '.'], " ");
        let words = words
            .split('@')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let mut found = self.core.directory().people(&words, freshness).await?.items;
        if found.is_empty()
            && let Some(first) = words.split_whitespace().next().filter(|w| *w != words)
        {
            found = self.core.directory().people(first, freshness).await?.items;
        }
        Ok(found)
    }

    /// The Owners page: the file, its skipped lines, and each owner with where it reaches.
    pub fn view(&self) -> Result<OwnersView> {
        let location = self.core.store.owner_location()?;
        let mappings = self.core.store.owner_mappings()?;
        let directory = self.core.store.owner_directory()?;
        let (fetched, fetch_error) = self.core.store.owner_fetch()?;
        let (loaded, problem) = match self.load() {
            Ok(loaded) => (
                loaded,
                fetch_error.map(|message| AppError {
                    code: crate::ErrorCode::ServiceError,
                    message: match &fetched {
                        Some(f) => format!(
                            "{message} The copy fetched at {} is used until a fetch succeeds.",
                            f.fetched_at.format("%Y-%m-%d %H:%M UTC")
                        ),
                        None => message,
                    },
                }),
            ),
            Err(Error::Owners(e)) => (
                None,
                Some(AppError {
                    code: e.code(),
                    message: e.to_string(),
                }),
            ),
            Err(e) => return Err(e),
        };
        let resolver = Resolver {
            loaded: Err(String::new()),
            mappings: mappings.clone(),
            directory,
        };
        let mut owners = Vec::new();
        let mut skipped_lines = Vec::new();
        if let Some(loaded) = &loaded {
            for (owner, lines) in distinct_owners(&loaded.codeowners) {
                owners.push(entry(&resolver, &owner, lines));
            }
            skipped_lines = loaded
                .codeowners
                .problems
                .iter()
                .map(|p| SkippedLine {
                    line: p.line as u32,
                    text: p.text.clone(),
                    reason: p.reason.clone(),
                })
                .collect();
        }
        let mut unused_mappings: Vec<OwnerEntry> = mappings
            .iter()
            .filter(|(key, _)| !owners.iter().any(|o| owner_key(&o.owner) == **key))
            .filter_map(|(_, m)| Owner::parse(&m.written))
            .map(|owner| entry(&resolver, &owner, Vec::new()))
            .collect();
        unused_mappings.sort_by(|a, b| a.owner.cmp(&b.owner));
        Ok(OwnersView {
            location,
            fetched_at: fetched.map(|f| f.fetched_at),
            file: loaded.map(|l| l.file.clone()),
            problem,
            skipped_lines,
            owners,
            unused_mappings,
        })
    }
}

fn entry(resolver: &Resolver, owner: &Owner, lines: Vec<u32>) -> OwnerEntry {
    let mapped = resolver.mappings.contains_key(&owner_key(&owner.written()));
    let place = resolver.place_of(owner);
    let status = match (&place, mapped, owner) {
        (Ok(recipient), true, _) => format!("Mapped to {}", recipient.label()),
        (Ok(recipient), false, _) => format!("{}, found in the directory", recipient.label()),
        (Err(_), _, Owner::Email(_)) => {
            match resolver.directory.get(&owner_key(&owner.written())) {
                Some(_) => "Not in the directory".into(),
                None => "Not looked up yet".into(),
            }
        }
        (Err(_), _, _) => "No Teams mapping".into(),
    };
    OwnerEntry {
        owner: owner.written(),
        kind: match owner {
            Owner::GithubUser(_) => OwnerKind::GithubUser,
            Owner::GithubTeam(_) => OwnerKind::GithubTeam,
            Owner::Email(_) => OwnerKind::Email,
        },
        lines,
        recipient: place.ok(),
        mapped,
        status,
    }
}

/// Each owner the file names once (case-insensitively), with the lines that name it, in the
/// order of first appearance.
fn distinct_owners(codeowners: &CodeOwners) -> Vec<(Owner, Vec<u32>)> {
    let mut order: Vec<(Owner, Vec<u32>)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for rule in codeowners.rules() {
        for owner in &rule.owners {
            let key = owner_key(&owner.written());
            match index.get(&key) {
                Some(&i) => {
                    if order[i].1.last() != Some(&(rule.line as u32)) {
                        order[i].1.push(rule.line as u32);
                    }
                }
                None => {
                    index.insert(key, order.len());
                    order.push((owner.clone(), vec![rule.line as u32]));
                }
            }
        }
    }
    order
}

/// Where one finding's message goes: the chosen recipients, the owners of its file, and the
/// fallback recipients when an owner cannot be reached; whom it @mentions; and the note each
/// owner's or fallback delivery carries. The one place this is decided, for workflows, their
/// dry runs and a person's send.
#[derive(Debug, Clone, Default)]
pub struct Addressed {
    pub recipients: Vec<Recipient>,
    pub notes: BTreeMap<String, String>,
    pub mentions: Vec<Mention>,
    /// The finding's owners, when the owners are used.
    pub owners: Option<FindingOwners>,
}

pub struct Routing<'a> {
    pub recipients: &'a [Recipient],
    pub fallback: &'a [Recipient],
    pub owners: OwnerRouting,
    pub mentions: &'a [Mention],
}

pub fn address(
    routing: &Routing<'_>,
    path: Option<&str>,
    resolver: Option<&Resolver>,
) -> Addressed {
    let mut addressed = Addressed {
        recipients: routing.recipients.to_vec(),
        mentions: routing.mentions.to_vec(),
        ..Addressed::default()
    };
    let Some(resolver) = resolver.filter(|_| routing.owners.is_used()) else {
        return deduplicated(addressed);
    };
    let owners = resolver.for_path(path);
    if routing.owners.message {
        for (recipient, note) in owners.recipients() {
            addressed.notes.entry(recipient.key()).or_insert(note);
            addressed.recipients.push(recipient);
        }
        if let Some(note) = owners.fallback_note() {
            for recipient in routing.fallback {
                addressed
                    .notes
                    .entry(recipient.key())
                    .or_insert(note.clone());
                addressed.recipients.push(recipient.clone());
            }
        }
    }
    if routing.owners.mention {
        addressed.mentions.extend(owners.mentions());
    }
    addressed.owners = Some(owners);
    deduplicated(addressed)
}

/// Each place and each mention once, in the order first named.
fn deduplicated(mut addressed: Addressed) -> Addressed {
    let mut seen = std::collections::HashSet::new();
    addressed.recipients.retain(|r| seen.insert(r.key()));
    let mut seen = std::collections::HashSet::new();
    addressed.mentions.retain(|m| seen.insert(m.clone()));
    addressed
}
