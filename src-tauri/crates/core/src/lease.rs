//! One worker of a kind per data folder: the app's dispatcher or `ox-teams-cli`'s, the app's
//! source poller or the CLI's. A mutex stops a second one in this process and a lock file
//! (`outbox.lock`, `sources.lock`) one in another; whoever finds either taken is "busy".

use std::fs::File;

use tokio::sync::{Mutex, MutexGuard};

/// Held while the worker runs; dropping it lets the next one in.
pub(crate) struct Lease<'a> {
    _in_process: MutexGuard<'a, ()>,
    _across_processes: Option<File>,
}

impl crate::Core {
    /// Takes the lease `gate` and the data folder's `lock_file` stand for, or `None` when
    /// another worker holds either. An in-memory database (tests) has no folder to lock.
    pub(crate) fn lease<'a>(&'a self, gate: &'a Mutex<()>, lock_file: &str) -> Option<Lease<'a>> {
        let in_process = gate.try_lock().ok()?;
        let across_processes = match self.store.path() {
            Some(_) => {
                let path = self.data_dir.join(lock_file);
                let file = File::options()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(|e| log::warn!("cannot open {}: {e}", path.display()))
                    .ok()?;
                file.try_lock().ok()?;
                Some(file)
            }
            None => None,
        };
        Some(Lease {
            _in_process: in_process,
            _across_processes: across_processes,
        })
    }
}
