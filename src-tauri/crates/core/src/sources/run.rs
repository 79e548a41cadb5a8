//! The app's poller: checks each source when it is due, and watches each folder source with the
//! OS's file notifications (the `notify` crate) so a report is picked up within seconds rather
//! than at the next scheduled look. The scheduled look stays: notifications do not reach across
//! network drives, and a folder that disappears and comes back needs a new watch.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::Notify;

use super::{PollReport, SourceConfig, Sources};

pub use super::folder::SETTLE as FOLDER_SETTLE;

/// The longest rest between passes: sources added by `ox-teams-cli` are noticed this soon.
const LONGEST_REST: Duration = Duration::from_secs(10);
/// Never spin.
const SHORTEST_REST: Duration = Duration::from_millis(200);
/// How soon to look again while another process polls this data folder's sources.
const BUSY_REST: Duration = Duration::from_secs(5);
/// How long a wake waits for the rest of its burst.
const DEBOUNCE: Duration = Duration::from_millis(500);

/// What the app's poller shares with the rest of the core.
#[derive(Default)]
pub struct SourcesState {
    /// One pass at a time in this process.
    pub(crate) gate: tokio::sync::Mutex<()>,
    wake: Arc<Notify>,
    /// Folder sources whose folder changed since the last pass.
    changed: Arc<Mutex<HashSet<String>>>,
}

/// A folder being watched, and which folder it was (a folder deleted and made again is a new
/// one, and needs a new watch).
struct Watch {
    path: PathBuf,
    identity: Option<(u64, u64)>,
    _watcher: notify::RecommendedWatcher,
}

impl Sources<'_> {
    /// Wakes [`Sources::run`]: a source was added, or someone asked for a check.
    pub fn wake(&self) {
        self.core.sources_state.wake.notify_one();
    }

    /// Brings a source's check forward to now and wakes the poller ("Check now" in the app).
    pub fn check_soon(&self, id: &str) -> crate::Result<()> {
        self.get(id)?;
        self.core.store.check_source_by(id, self.core.clock.now())?;
        self.wake();
        Ok(())
    }

    /// Checks what is due, then rests until the next check or a change in a watched folder.
    /// `on_pass` hears every pass that checked something. It never returns; the app ends it by
    /// exiting.
    pub async fn run(self, mut on_pass: impl FnMut(&PollReport)) {
        let state = &self.core.sources_state;
        let mut watches: HashMap<String, Watch> = HashMap::new();
        loop {
            let changed: Vec<String> = state
                .changed
                .lock()
                .map(|mut set| set.drain().collect())
                .unwrap_or_default();
            for id in changed {
                if let Err(error) = self.core.store.check_source_by(&id, self.core.clock.now()) {
                    log::warn!("a changed folder could not be scheduled: {error}");
                }
            }
            let rest = match self.poll_due().await {
                Ok(report) => {
                    if !report.polls.is_empty() {
                        on_pass(&report);
                    }
                    if report.busy {
                        BUSY_REST
                    } else {
                        // No source at all: the longest rest (a source added wakes the loop).
                        report.next_check.map_or(LONGEST_REST, |at| {
                            (at - self.core.clock.now())
                                .to_std()
                                .unwrap_or(SHORTEST_REST)
                                .clamp(SHORTEST_REST, LONGEST_REST)
                        })
                    }
                }
                Err(error) => {
                    log::error!("sources could not be checked: {error}");
                    LONGEST_REST
                }
            };
            self.keep_watching(&mut watches);
            tokio::select! {
                _ = self.core.clock.sleep(rest) => {}
                _ = state.wake.notified() => {
                    // A burst of file events (a scanner writing, a checkout) is one pass.
                    self.core.clock.sleep(DEBOUNCE).await;
                }
            }
        }
    }

    /// Starts a watch for each folder source that has none, and ends watches of folders that
    /// are gone or were removed.
    fn keep_watching(&self, watches: &mut HashMap<String, Watch>) {
        let folders: HashMap<String, PathBuf> = match self.list() {
            Ok(sources) => sources
                .into_iter()
                .filter_map(|s| match s.config {
                    SourceConfig::Folder { path } => Some((s.id, PathBuf::from(path))),
                    SourceConfig::GitHub { .. } => None,
                })
                .collect(),
            Err(_) => return,
        };
        watches.retain(|id, watch| {
            folders.get(id) == Some(&watch.path) && folder_identity(&watch.path) == watch.identity
        });
        for (id, path) in folders {
            if watches.contains_key(&id) || !path.is_dir() {
                continue;
            }
            let changed = self.core.sources_state.changed.clone();
            let wake = self.core.sources_state.wake.clone();
            let source = id.clone();
            let watcher =
                notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                    // Only reports matter: not reads, not other files, not .git or node_modules.
                    if event
                        .is_ok_and(|e| !e.kind.is_access() && e.paths.iter().any(|p| is_report(p)))
                    {
                        if let Ok(mut set) = changed.lock() {
                            set.insert(source.clone());
                        }
                        wake.notify_one();
                    }
                });
            match watcher.and_then(|mut w| w.watch(&path, RecursiveMode::Recursive).map(|()| w)) {
                Ok(watcher) => {
                    watches.insert(
                        id,
                        Watch {
                            identity: folder_identity(&path),
                            path,
                            _watcher: watcher,
                        },
                    );
                }
                Err(error) => log::warn!(
                    "{} cannot be watched ({error}); it is looked at every {} seconds instead",
                    path.display(),
                    super::poll::FOLDER_EVERY.num_seconds()
                ),
            }
        }
    }
}

/// A path a report could be at (what a folder import would read).
fn is_report(path: &std::path::Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("sarif" | "json")
    ) && !path.components().any(|c| {
        crate::issues::SKIPPED_FOLDERS
            .iter()
            .any(|s| c.as_os_str() == *s)
    })
}

/// The folder's device and inode: it changes when the folder is deleted and made again.
fn folder_identity(path: &std::path::Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        meta.is_dir().then_some((0, 0))
    }
}
