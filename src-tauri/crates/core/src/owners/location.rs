//! Where CODEOWNERS comes from: a repository folder (or the file itself) on this computer, or a
//! repository read through a GitHub source with its token. A file on disk is read again when it
//! changes; a GitHub copy is kept in SQLite, fetched again every 15 minutes, and used while a
//! later fetch fails.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{CodeOwners, LOCATIONS, MAX_CODEOWNERS_BYTES, Owners, OwnersError, repository_of};
use crate::Result;
use crate::store::FetchedCodeOwners;

/// How often a GitHub copy is fetched again.
const FETCH_EVERY: chrono::Duration = chrono::Duration::minutes(15);

/// Where the person pointed the app for CODEOWNERS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum OwnersLocation {
    /// A repository folder, or the CODEOWNERS file itself, on this computer.
    Folder { path: String },
    /// A repository's default branch, read with a GitHub source's token.
    Github { source_id: String, repo: String },
}

/// The CODEOWNERS file as last read, kept while it is unchanged.
#[derive(Default)]
pub(crate) struct OwnersCache {
    loaded: std::sync::Mutex<Option<(String, Arc<Loaded>)>>,
}

impl OwnersCache {
    fn get(&self, stamp: &str) -> Option<Arc<Loaded>> {
        self.loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .filter(|(cached, _)| cached == stamp)
            .map(|(_, loaded)| loaded.clone())
    }

    fn put(&self, stamp: String, loaded: Arc<Loaded>) {
        *self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((stamp, loaded));
    }
}

/// A CODEOWNERS file read from where the person pointed.
pub struct Loaded {
    /// How the page names it.
    pub file: String,
    /// The repository on disk, to make absolute paths relative (`None` through GitHub, whose
    /// alerts name paths from the repository's root).
    pub repository: Option<PathBuf>,
    pub codeowners: CodeOwners,
}

impl Owners<'_> {
    /// The CODEOWNERS file in use (read again only when it changed), `None` when none is set.
    pub fn load(&self) -> Result<Option<Arc<Loaded>>> {
        match self.core.store.owner_location()? {
            None => Ok(None),
            Some(OwnersLocation::Folder { path }) => {
                self.load_from_disk(Path::new(&path)).map(Some)
            }
            Some(OwnersLocation::Github { repo, .. }) => {
                let (fetched, problem) = self.core.store.owner_fetch()?;
                let Some(fetched) = fetched else {
                    return Err(OwnersError::NotFetched {
                        repo,
                        problem: problem.unwrap_or_default(),
                    }
                    .into());
                };
                let stamp = format!("github:{repo}:{}", fetched.fetched_at.to_rfc3339());
                if let Some(loaded) = self.core.owners_cache.get(&stamp) {
                    return Ok(Some(loaded));
                }
                let loaded = Arc::new(Loaded {
                    file: format!("{repo} › {} on GitHub", fetched.file),
                    repository: None,
                    codeowners: CodeOwners::parse(&fetched.text),
                });
                self.core.owners_cache.put(stamp, loaded.clone());
                Ok(Some(loaded))
            }
        }
    }

    fn load_from_disk(&self, location: &Path) -> Result<Arc<Loaded>> {
        let file = if location.is_dir() {
            LOCATIONS
                .iter()
                .map(|l| location.join(l))
                .find(|p| p.is_file())
                .ok_or_else(|| OwnersError::NoFile(location.to_path_buf()))?
        } else {
            location.to_path_buf()
        };
        let metadata = std::fs::metadata(&file).map_err(|source| OwnersError::Unreadable {
            path: file.clone(),
            source,
        })?;
        let stamp = format!(
            "disk:{}:{:?}:{}",
            file.display(),
            metadata.modified().ok(),
            metadata.len()
        );
        if let Some(loaded) = self.core.owners_cache.get(&stamp) {
            return Ok(loaded);
        }
        let codeowners = CodeOwners::read(&file)?;
        let absolute = std::path::absolute(&file).unwrap_or(file.clone());
        let loaded = Arc::new(Loaded {
            repository: Some(repository_of(&absolute)),
            file: file.display().to_string(),
            codeowners,
        });
        self.core.owners_cache.put(stamp, loaded.clone());
        Ok(loaded)
    }

    /// Points the app at CODEOWNERS (`None`: no owner routing). The file must be readable (or
    /// fetched) now, or nothing changes.
    pub async fn set_location(&self, location: Option<OwnersLocation>) -> Result<()> {
        let now = self.core.clock.now();
        let (location, fetched) = match location {
            None => (None, None),
            Some(OwnersLocation::Folder { path }) => {
                let path = path.trim().to_string();
                if path.is_empty() {
                    return Err(OwnersError::NoFile(PathBuf::new()).into());
                }
                let folder = Path::new(&path);
                if folder.is_dir() {
                    CodeOwners::find_in(folder)?;
                } else {
                    CodeOwners::read(folder)?;
                }
                (Some(OwnersLocation::Folder { path }), None)
            }
            Some(OwnersLocation::Github { source_id, repo }) => {
                let repo = repo.trim().trim_matches('/').to_string();
                let fetched = self.fetch(&source_id, &repo).await?;
                (
                    Some(OwnersLocation::Github { source_id, repo }),
                    Some(fetched),
                )
            }
        };
        self.core
            .store
            .set_owner_location(location.as_ref(), fetched.as_ref(), now)?;
        Ok(())
    }

    /// Fetches a GitHub copy again now (the Owners page's READ AGAIN). A failure is kept for
    /// the page, and the last copy stays in use.
    pub async fn refresh(&self) -> Result<()> {
        let Some(OwnersLocation::Github { source_id, repo }) = self.core.store.owner_location()?
        else {
            return Ok(());
        };
        match self.fetch(&source_id, &repo).await {
            Ok(fetched) => Ok(self.core.store.save_owner_fetch(Ok(&fetched))?),
            Err(error) => {
                self.core.store.save_owner_fetch(Err(&error.to_string()))?;
                Err(error)
            }
        }
    }

    /// [`Owners::refresh`] when the copy is older than 15 minutes.
    pub(super) async fn refresh_if_due(&self) -> Result<()> {
        let (fetched, _) = self.core.store.owner_fetch()?;
        let due = fetched.is_none_or(|f| self.core.clock.now() - f.fetched_at >= FETCH_EVERY);
        if due { self.refresh().await } else { Ok(()) }
    }

    /// Reads CODEOWNERS from the repository where GitHub looks for it, in GitHub's order.
    async fn fetch(&self, source_id: &str, repo: &str) -> Result<FetchedCodeOwners> {
        if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) {
            return Err(OwnersError::NotARepository(repo.to_string()).into());
        }
        for file in LOCATIONS {
            let Some(text) = self
                .core
                .sources()
                .github_file(source_id, repo, file)
                .await?
            else {
                continue;
            };
            if text.len() as u64 > MAX_CODEOWNERS_BYTES {
                return Err(OwnersError::TooLarge {
                    path: PathBuf::from(format!("{repo}/{file}")),
                    bytes: text.len() as u64,
                }
                .into());
            }
            return Ok(FetchedCodeOwners {
                text,
                file: file.to_string(),
                fetched_at: self.core.clock.now(),
            });
        }
        Err(OwnersError::NoFileOnGitHub(repo.to_string()).into())
    }
}
