//! OX Teams Connector's core: settings, storage, secrets, HTTP and (in later modules) every
//! call to Microsoft. It knows nothing of Tauri or the UI; the desktop shell and the CLI are
//! thin adapters over [`Core`].

pub mod auth;
pub mod bot;
pub mod clock;
pub mod compose;
pub mod directory;
pub mod entropy;
pub mod error;
pub mod graph;
pub mod http;
pub mod issues;
mod lease;
pub mod links;
pub mod mentions;
pub mod outbox;
pub mod owners;
pub mod paths;
pub mod permissions;
pub mod secrets;
pub mod settings;
pub mod sources;
pub mod store;
pub mod workflows;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

pub use error::{AppError, Error, ErrorCode, Result};

use auth::AuthError;
use secrets::SecretError;

use auth::{ConnectionState, Session};
use clock::Clock;
use entropy::Entropy;
use http::{HttpClient, HttpOptions, RetryPolicy};
use secrets::{KeychainStatus, SecretStore};
use settings::{Cloud, Endpoints, FieldProblem, SettingKey, Settings, SettingsError};
use store::Store;

/// The app's version, shown in Settings and `status`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the core needs from its host.
pub struct CoreOptions {
    pub data_dir: PathBuf,
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn Clock>,
    pub entropy: Arc<dyn Entropy>,
    /// The `PATH` used to find the browser command (the process's own by default).
    pub search_path: Option<OsString>,
    /// The HTTP client's user agent and time limits.
    pub http: HttpOptions,
}

/// The composition root shared by the desktop shell and the CLI.
pub struct Core {
    store: Store,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    entropy: Arc<dyn Entropy>,
    http: HttpClient,
    session: Session,
    bot_sessions: bot::BotSessions,
    data_dir: PathBuf,
    search_path: Option<OsString>,
    outbox_state: outbox::OutboxState,
    owners_cache: owners::OwnersCache,
    sources_state: sources::SourcesState,
}

/// A cloud as the Settings page offers it, with the URLs it stands for.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CloudOption {
    pub cloud: Cloud,
    pub label: String,
    /// `None` for the custom cloud, whose URLs are typed in.
    pub endpoints: Option<Endpoints>,
}

/// Everything the Settings page shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingsView {
    pub settings: Settings,
    /// The URLs in force for the chosen cloud.
    pub endpoints: Endpoints,
    pub clouds: Vec<CloudOption>,
    pub data_dir: String,
    pub database_path: String,
    pub version: String,
    /// Saved values that were not used because they would be refused if typed now (the
    /// defaults stand in for them until the person saves the page again).
    pub refused: Vec<FieldProblem>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum SaveSettingsOutcome {
    Saved {
        view: Box<SettingsView>,
    },
    /// Nothing was saved.
    Invalid {
        problems: Vec<FieldProblem>,
    },
}

/// How the desktop app started: ready, or unable to open its database (and where it is).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum Startup {
    Ready {
        version: String,
    },
    DatabaseFailed {
        error: AppError,
        data_dir: String,
        database_path: String,
    },
}

impl Startup {
    pub fn database_failed(data_dir: Option<&Path>, error: &Error) -> Startup {
        Startup::DatabaseFailed {
            error: error.into(),
            data_dir: data_dir
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            database_path: data_dir
                .map(|d| paths::database_path(d).display().to_string())
                .unwrap_or_default(),
        }
    }
}

/// What `ox-teams-cli status` prints.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StatusReport {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
    pub schema_version: i64,
    pub cloud: Cloud,
    pub cloud_label: String,
    pub tenant: String,
    pub client_id: Option<String>,
    pub endpoints: Endpoints,
    pub keychain: KeychainStatus,
    pub connection: ConnectionState,
}

/// The core's services, each a view of the core for one family of operations.
impl Core {
    pub fn auth(&self) -> auth::Auth<'_> {
        auth::Auth { core: self }
    }

    pub fn bot(&self) -> bot::Bot<'_> {
        bot::Bot { core: self }
    }

    pub fn directory(&self) -> directory::Directory<'_> {
        directory::Directory { core: self }
    }

    pub fn issues(&self) -> issues::Issues<'_> {
        issues::Issues { core: self }
    }

    pub fn owners(&self) -> owners::Owners<'_> {
        owners::Owners { core: self }
    }

    pub fn outbox(&self) -> outbox::Outbox<'_> {
        outbox::Outbox { core: self }
    }

    pub fn sources(&self) -> sources::Sources<'_> {
        sources::Sources { core: self }
    }

    pub fn workflows(&self) -> workflows::Workflows<'_> {
        workflows::Workflows { core: self }
    }
}

impl Core {
    /// Opens the data folder's database (creating it) and wires the services.
    pub fn open(options: CoreOptions) -> Result<Core> {
        let store = Store::open(&paths::database_path(&options.data_dir))?;
        Core::with_store(store, options)
    }

    /// A core over a private in-memory database, for tests.
    pub fn open_in_memory(options: CoreOptions) -> Result<Core> {
        Core::with_store(Store::open_in_memory()?, options)
    }

    fn with_store(store: Store, options: CoreOptions) -> Result<Core> {
        let http = HttpClient::new(
            &options.http,
            RetryPolicy::default(),
            options.clock.clone(),
            options.entropy.clone(),
        )?;
        Ok(Core {
            store,
            secrets: options.secrets,
            clock: options.clock,
            entropy: options.entropy,
            http,
            session: Session::default(),
            bot_sessions: bot::BotSessions::default(),
            data_dir: options.data_dir,
            search_path: options.search_path.or_else(|| std::env::var_os("PATH")),
            outbox_state: outbox::OutboxState::default(),
            owners_cache: owners::OwnersCache::default(),
            sources_state: sources::SourcesState::default(),
        })
    }

    /// A random identifier in the UUID layout.
    pub(crate) fn new_id(&self) -> String {
        let mut bytes = [0u8; 16];
        self.entropy.fill(&mut bytes);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    pub(crate) fn random_text(&self, bytes: usize) -> String {
        let mut buffer = vec![0u8; bytes];
        self.entropy.fill(&mut buffer);
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, buffer)
    }

    /// Runs a keychain call off the async threads (the OS keychain talks over IPC and blocks).
    pub(crate) async fn secret<T: Send + 'static>(
        &self,
        op: impl FnOnce(Arc<dyn SecretStore>) -> std::result::Result<T, SecretError> + Send + 'static,
    ) -> Result<T> {
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || op(secrets))
            .await
            .map_err(|e| Error::Auth(AuthError::Listener(e.to_string())))?
            .map_err(Error::from)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn database_path(&self) -> PathBuf {
        self.store
            .path()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(":memory:"))
    }

    /// The database schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.store.schema_version()?)
    }

    /// The settings in force: what was saved, checked again as it is read (see
    /// [`Settings::checked`]).
    pub fn settings(&self) -> Result<Settings> {
        Ok(self.checked_settings()?.0)
    }

    fn checked_settings(&self) -> Result<(Settings, Vec<FieldProblem>)> {
        let (settings, refused) = self
            .store
            .load_settings()?
            .checked(self.search_path.as_deref());
        for problem in &refused {
            log::warn!(
                "a saved setting is not used because it would be refused: {}: {}",
                problem.field.label(),
                problem.message
            );
        }
        Ok((settings, refused))
    }

    pub fn settings_view(&self) -> Result<SettingsView> {
        let (settings, refused) = self.checked_settings()?;
        Ok(self.view_of(settings, refused))
    }

    fn view_of(&self, settings: Settings, refused: Vec<FieldProblem>) -> SettingsView {
        SettingsView {
            endpoints: settings.endpoints(),
            clouds: Cloud::ALL
                .into_iter()
                .map(|cloud| CloudOption {
                    cloud,
                    label: cloud.label().to_string(),
                    endpoints: (cloud != Cloud::Custom).then(|| {
                        Settings {
                            cloud,
                            ..Settings::default()
                        }
                        .endpoints()
                    }),
                })
                .collect(),
            settings,
            data_dir: self.data_dir.display().to_string(),
            database_path: self.database_path().display().to_string(),
            version: VERSION.to_string(),
            refused,
        }
    }

    /// What is wrong with a draft, without saving it.
    pub fn check_settings(&self, draft: &Settings) -> Vec<FieldProblem> {
        draft.normalized().problems(self.search_path.as_deref())
    }

    /// Saves a whole draft (the Settings page), or says what is wrong and saves nothing.
    pub fn save_settings(&self, draft: &Settings) -> Result<SaveSettingsOutcome> {
        let settings = draft.normalized();
        let problems = settings.problems(self.search_path.as_deref());
        if !problems.is_empty() {
            return Ok(SaveSettingsOutcome::Invalid { problems });
        }
        self.store.save_settings(&settings, self.clock.now())?;
        Ok(SaveSettingsOutcome::Saved {
            view: Box::new(self.view_of(settings, Vec::new())),
        })
    }

    /// Saves a draft from the window. A browser command the page would newly set runs a
    /// program, so it is saved only once the person confirms it outside the page (`confirm`:
    /// the shell's native dialog, shown the command); clearing it needs no confirmation.
    pub async fn save_settings_from_window<F, Fut>(
        &self,
        draft: &Settings,
        confirm: F,
    ) -> Result<SaveSettingsOutcome>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let command = draft.normalized().browser_command;
        if !command.is_empty()
            && command != self.settings()?.browser_command
            && self.check_settings(draft).is_empty()
            && !confirm(command).await
        {
            return Ok(SaveSettingsOutcome::Invalid {
                problems: vec![FieldProblem {
                    field: SettingKey::BrowserCommand,
                    message: "Not saved: running this program to open sign-in pages was not \
                              confirmed."
                        .to_string(),
                }],
            });
        }
        self.save_settings(draft)
    }

    /// Changes one setting (`ox-teams-cli config set`). Only problems with that setting (and,
    /// for the cloud, the URLs it needs) stop it.
    pub fn set_setting(&self, key: SettingKey, value: &str) -> Result<Settings> {
        let settings = self.settings()?.with(key, value)?.normalized();
        let problems: Vec<FieldProblem> = settings
            .problems(self.search_path.as_deref())
            .into_iter()
            .filter(|problem| problem.field == key || key == SettingKey::Cloud)
            .collect();
        if !problems.is_empty() {
            return Err(SettingsError::Invalid(problems).into());
        }
        self.store.save_settings(&settings, self.clock.now())?;
        Ok(settings)
    }

    /// Whether the OS keychain answers. It may block on IPC, so it runs off the async threads.
    pub async fn keychain_status(&self) -> KeychainStatus {
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.status())
            .await
            .unwrap_or_else(|e| KeychainStatus::Unavailable {
                code: ErrorCode::Internal,
                message: e.to_string(),
            })
    }

    pub async fn status(&self) -> Result<StatusReport> {
        let settings = self.settings()?;
        Ok(StatusReport {
            version: VERSION.to_string(),
            data_dir: self.data_dir.display().to_string(),
            database_path: self.database_path().display().to_string(),
            schema_version: self.schema_version()?,
            cloud: settings.cloud,
            cloud_label: settings.cloud.label().to_string(),
            tenant: settings.tenant.clone(),
            client_id: (!settings.client_id.is_empty()).then(|| settings.client_id.clone()),
            endpoints: settings.endpoints(),
            keychain: self.keychain_status().await,
            connection: self.auth().state()?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::secrets::MemoryStore;

    /// A core over an in-memory database, a memory keychain and a clock that stands still.
    pub(crate) fn core() -> Core {
        Core::open_in_memory(CoreOptions {
            data_dir: PathBuf::from("/tmp/ox-teams-test"),
            secrets: Arc::new(MemoryStore::new()),
            clock: Arc::new(ManualClock::new(chrono::Utc::now())),
            entropy: Arc::new(crate::entropy::SeededEntropy::new(1)),
            search_path: Some(OsString::new()),
            http: Default::default(),
        })
        .unwrap()
    }

    #[test]
    fn an_invalid_draft_saves_nothing_and_says_why_per_field() {
        let core = core();
        let draft = Settings {
            tenant: "not a tenant".into(),
            ..Settings::default()
        };
        match core.save_settings(&draft).unwrap() {
            SaveSettingsOutcome::Invalid { problems } => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].field, SettingKey::Tenant);
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        assert_eq!(core.settings().unwrap(), Settings::default());
    }

    #[test]
    fn a_valid_draft_is_saved_normalised() {
        let core = core();
        let draft = Settings {
            cloud: Cloud::Custom,
            authority_url: "http://127.0.0.1:9000/".into(),
            graph_url: "http://127.0.0.1:9000".into(),
            tenant: " contoso.onmicrosoft.com ".into(),
            ..Settings::default()
        };
        let SaveSettingsOutcome::Saved { view } = core.save_settings(&draft).unwrap() else {
            panic!("expected saved");
        };
        assert_eq!(view.settings.tenant, "contoso.onmicrosoft.com");
        assert_eq!(view.endpoints.authority, "http://127.0.0.1:9000");
        assert_eq!(core.settings().unwrap(), view.settings);
    }

    #[tokio::test]
    async fn the_window_sets_a_browser_command_only_once_the_person_confirms_it() {
        let core = core();
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("open-browser");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(
            &program,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let draft = Settings {
            browser_command: format!("{} --new-window", program.display()),
            ..Settings::default()
        };
        let shown = std::sync::Mutex::new(Vec::new());
        let outcome = core
            .save_settings_from_window(&draft, |command| {
                shown.lock().unwrap().push(command);
                async { false }
            })
            .await
            .unwrap();
        assert!(
            matches!(outcome, SaveSettingsOutcome::Invalid { ref problems }
            if problems[0].field == SettingKey::BrowserCommand && problems[0].message.contains("not confirmed"))
        );
        assert_eq!(
            shown.lock().unwrap().as_slice(),
            std::slice::from_ref(&draft.browser_command)
        );
        assert_eq!(
            core.settings().unwrap().browser_command,
            "",
            "nothing was saved"
        );

        let saved = core
            .save_settings_from_window(&draft, |_| async { true })
            .await
            .unwrap();
        assert!(matches!(saved, SaveSettingsOutcome::Saved { .. }));
        // Saving other fields with the same command, or clearing it, asks nothing.
        let unchanged = Settings {
            tenant: "contoso.onmicrosoft.com".into(),
            ..draft.clone()
        };
        let asked = |_| async { panic!("asked again") };
        core.save_settings_from_window(&unchanged, asked)
            .await
            .unwrap();
        core.save_settings_from_window(&Settings::default(), asked)
            .await
            .unwrap();
        assert_eq!(core.settings().unwrap().browser_command, "");
    }

    #[test]
    fn an_edited_database_cannot_point_sign_in_elsewhere_or_run_a_program() {
        let core = core();
        // Written straight to the database, as someone editing the file would.
        let edited = Settings {
            cloud: Cloud::Custom,
            authority_url: "http://attacker.example".into(),
            graph_url: "https://graph.example".into(),
            client_id: "not-a-guid".into(),
            browser_command: "/tmp/no-such-program --steal".into(),
            ..Settings::default()
        };
        core.store
            .save_settings(&edited, chrono::Utc::now())
            .unwrap();
        let settings = core.settings().unwrap();
        assert_eq!(
            settings.authority_url, "",
            "the http:// authority is not used"
        );
        assert_eq!(settings.graph_url, "https://graph.example");
        assert_eq!(settings.client_id, "");
        assert_eq!(settings.browser_command, "", "the system browser stands in");
        let view = core.settings_view().unwrap();
        let refused: Vec<SettingKey> = view.refused.iter().map(|p| p.field).collect();
        assert_eq!(
            refused,
            [
                SettingKey::AuthorityUrl,
                SettingKey::ClientId,
                SettingKey::BrowserCommand
            ]
        );
        assert!(
            view.refused[0].message.contains("https://"),
            "{:?}",
            view.refused
        );
    }

    #[test]
    fn set_setting_refuses_custom_cloud_without_its_urls() {
        let core = core();
        let error = core.set_setting(SettingKey::Cloud, "custom").unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidSetting);
        assert!(
            error.to_string().contains("Required for a custom cloud"),
            "{error}"
        );
        core.set_setting(SettingKey::AuthorityUrl, "http://127.0.0.1:9000")
            .unwrap();
        core.set_setting(SettingKey::GraphUrl, "http://127.0.0.1:9000")
            .unwrap();
        assert_eq!(
            core.set_setting(SettingKey::Cloud, "custom").unwrap().cloud,
            Cloud::Custom
        );
    }

    #[tokio::test]
    async fn status_reports_the_data_folder_and_keychain() {
        let status = core().status().await.unwrap();
        assert_eq!(status.data_dir, "/tmp/ox-teams-test");
        assert_eq!(status.cloud, Cloud::Global);
        assert_eq!(status.client_id, None);
        assert!(matches!(status.keychain, KeychainStatus::Available { .. }));
    }
}
