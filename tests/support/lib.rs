//! Helpers for the whole-system tests.

pub mod browser;
pub mod oracles;

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use ox_teams_core::clock::SystemClock;
use ox_teams_core::secrets::{MemoryStore, SecretStore};
use ox_teams_core::{Core, CoreOptions};

/// A core over `data_dir`, as the app or the CLI opens it, with secrets in memory.
pub fn open_core(data_dir: &Path) -> Core {
    open_core_with(data_dir, Arc::new(MemoryStore::new()))
}

pub fn open_core_with(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Core {
    Core::open(CoreOptions {
        data_dir: data_dir.to_path_buf(),
        secrets,
        clock: Arc::new(SystemClock),
        search_path: Some(OsString::new()),
    })
    .expect("the core opens")
}
