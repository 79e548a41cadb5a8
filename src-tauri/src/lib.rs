//! The desktop shell: it opens the core, wires Tauri's plugins, and adapts commands. Rules and
//! calls to Microsoft live in `ox-teams-core`.

mod commands;
mod events;
#[cfg(test)]
mod ipc;
mod owner_commands;
mod webkit;
mod workflow_commands;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ox_teams_core::auth::attempts::SignIns;
use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::CancelFlag;
use ox_teams_core::links::LinkEvent;
use ox_teams_core::outbox::{DispatchReport, restart_on_panic};
use ox_teams_core::secrets::KeychainStore;
use ox_teams_core::{AppError, Core, CoreOptions, ErrorCode, Startup, paths};
use tauri::{AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;
use tauri_plugin_notification::NotificationExt;

/// What the commands share.
pub struct Shell {
    core: Result<Arc<Core>, Startup>,
    data_dir: Option<PathBuf>,
    /// The last link received, kept until the window asks for it: a link that arrives while
    /// the page is still loading would otherwise be lost.
    pending_link: Mutex<Option<LinkEvent>>,
    sign_ins: SignIns,
    /// Paths the window may name (dropped, chosen in a dialog, or saved by the app).
    chosen: paths::ChosenPaths,
    /// The running import's cancel switch.
    import: Mutex<Option<CancelFlag>>,
    /// Whether the person was told the app goes on in the tray when its window closes.
    told_about_tray: std::sync::atomic::AtomicBool,
}

impl Shell {
    fn open(data_dir: Option<PathBuf>) -> Shell {
        let core = match &data_dir {
            Some(dir) => Core::open(CoreOptions {
                data_dir: dir.clone(),
                secrets: Arc::new(KeychainStore::new(paths::keychain_service(dir))),
                clock: Arc::new(SystemClock),
                entropy: Arc::new(OsEntropy),
                search_path: None,
                http: Default::default(),
            })
            .map(Arc::new)
            .map_err(|error| {
                log::error!("{error}");
                Startup::database_failed(Some(dir), &error)
            }),
            None => Err(Startup::DatabaseFailed {
                error: AppError {
                    code: ErrorCode::DatabaseUnavailable,
                    message: format!(
                        "This system has no app-data folder. Set {} to a folder the app may \
                         write to.",
                        paths::DATA_DIR_ENV
                    ),
                },
                data_dir: String::new(),
                database_path: String::new(),
            }),
        };
        Shell {
            core,
            data_dir,
            pending_link: Mutex::new(None),
            sign_ins: SignIns::default(),
            chosen: paths::ChosenPaths::default(),
            import: Mutex::new(None),
            told_about_tray: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn core(&self) -> Result<&Arc<Core>, AppError> {
        self.core.as_ref().map_err(|startup| match startup {
            Startup::DatabaseFailed { error, .. } => error.clone(),
            Startup::Ready { .. } => unreachable!("a ready shell has a core"),
        })
    }

    fn remember_link(&self, event: LinkEvent) {
        *self.pending_link.lock().unwrap_or_else(|p| p.into_inner()) = Some(event);
    }

    fn begin_import(&self) -> CancelFlag {
        let flag = CancelFlag::default();
        *self.import.lock().unwrap_or_else(|p| p.into_inner()) = Some(flag.clone());
        flag
    }

    fn end_import(&self) {
        self.import.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    fn cancel_import(&self) {
        if let Some(flag) = self
            .import
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            flag.cancel();
        }
    }
}

pub fn run() {
    webkit::tune_script_engine();
    let data_dir = paths::default_data_dir();
    let log_dir = data_dir
        .clone()
        .unwrap_or_else(std::env::temp_dir)
        .join("logs");

    let mut builder = tauri::Builder::default();
    // First, so a second launch hands over its arguments (deep links included) and exits
    // before anything else starts.
    #[cfg(desktop)]
    {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            focus_main_window(app);
        }));
    }
    let started = builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(
            tauri_plugin_log::Builder::new()
                .clear_targets()
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stdout),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Folder {
                        path: log_dir,
                        file_name: Some("ox-teams".into()),
                    }),
                ])
                .level(log::LevelFilter::Info)
                .level_for("tao", log::LevelFilter::Warn)
                .level_for("wry", log::LevelFilter::Warn)
                .level_for("zbus", log::LevelFilter::Warn)
                .level_for("reqwest", log::LevelFilter::Warn)
                .level_for("hyper_util", log::LevelFilter::Warn)
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            log::info!("OX Teams Connector {} starting", ox_teams_core::VERSION);
            webkit::apply(app);
            let shell = Shell::open(data_dir);
            if let Ok(core) = &shell.core {
                let core = core.clone();
                let app = app.handle().clone();
                let (sources_app, sources_core) = (app.clone(), core.clone());
                let owners_core = core.clone();
                tauri::async_runtime::spawn(async move {
                    owners_core.owners().keep_current().await;
                });
                tauri::async_runtime::spawn(async move {
                    restart_on_panic("the outbox", &SystemClock, Duration::from_secs(5), || {
                        let (app, core) = (app.clone(), core.clone());
                        async move { core.outbox().run(|report| tell_window(&app, report)).await }
                    })
                    .await;
                });
                tauri::async_runtime::spawn(async move {
                    restart_on_panic("the sources", &SystemClock, Duration::from_secs(5), || {
                        let (app, core) = (sources_app.clone(), sources_core.clone());
                        async move {
                            core.sources()
                                .run(|report| events::SOURCES.emit(&app, report))
                                .await
                        }
                    })
                    .await;
                });
            }
            app.manage(shell);

            // Packages register the scheme at install time; a development build registers it
            // itself so that links work while developing.
            #[cfg(all(debug_assertions, any(target_os = "linux", windows)))]
            if let Err(error) = app.deep_link().register_all() {
                log::warn!("could not register the ox-teams:// scheme: {error}");
            }
            if let Some(url) = app
                .deep_link()
                .get_current()?
                .and_then(|urls| urls.last().cloned())
            {
                app.state::<Shell>()
                    .remember_link(LinkEvent::from_link(url.as_str()));
            }
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    // A sign-in answer carries an authorization code: hand it over, never log it.
                    if url
                        .as_str()
                        .starts_with(ox_teams_core::auth::CUSTOM_SCHEME_REDIRECT)
                        && handle.state::<Shell>().sign_ins.deliver(url.as_str())
                    {
                        log::info!("sign-in answer received through the ox-teams:// scheme");
                        focus_main_window(&handle);
                        continue;
                    }
                    let link = LinkEvent::from_link(url.as_str());
                    log::info!("link received: {link:?}");
                    handle.state::<Shell>().remember_link(link.clone());
                    events::LINK.emit(&handle, &link);
                }
                focus_main_window(&handle);
            });
            // Without a tray (no status-notifier host) the app still runs; only closing the
            // window then hides it until the next launch brings it back.
            #[cfg(desktop)]
            if let Err(error) = add_tray(app.handle()) {
                log::warn!("no tray icon: {error}");
            }
            Ok(())
        })
        // Closing the window keeps the app in the tray, so workflows and retries go on being
        // sent; Quit in the tray menu ends it (a second launch brings the window back).
        .on_window_event(|window, event| {
            // Dropped files reach the page too, which asks to import them: only these paths
            // (or a dialog's) are accepted from it.
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                window.state::<Shell>().chosen.allow(paths.iter().cloned());
            }
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.label() == "main"
            {
                api.prevent_close();
                let _ = window.hide();
                let shell = window.state::<Shell>();
                if !shell.told_about_tray.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    let _ = window
                        .app_handle()
                        .notification()
                        .builder()
                        .title("OX Teams Connector")
                        .body("Still sending workflow messages from the tray. Quit it from the tray menu.")
                        .show();
                }
            }
        })
        // Every command in commands.rs (build.rs lists them).
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/handler.rs")))
        .run(tauri::generate_context!());
    if let Err(error) = started {
        #[cfg(target_os = "linux")]
        if matches!(&error, tauri::Error::PluginInitialization(plugin, _) if plugin == "single-instance")
        {
            start_again_once_the_other_instance_is_gone(&error);
        }
        eprintln!("OX Teams Connector could not start its window: {error}");
        std::process::exit(1);
    }
}

/// Handing over to the running instance failed: it still holds the single-instance D-Bus name
/// but no longer answers (it is quitting; D-Bus says `NoReply`). Start again in this same
/// process — the same PID, so whoever launched the app (a desktop, a test driver) keeps it —
/// after a short wait, when the name is free or its owner answers. Gives up after ~10 s.
#[cfg(target_os = "linux")]
fn start_again_once_the_other_instance_is_gone(error: &tauri::Error) {
    use std::os::unix::process::CommandExt;
    const TRIES: &str = "OX_TEAMS_START_TRIES";
    let tries: u32 = std::env::var(TRIES)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if tries >= 20 {
        return;
    }
    eprintln!("OX Teams Connector: the other instance is quitting ({error}); starting again");
    std::thread::sleep(Duration::from_millis(500));
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let failed = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(TRIES, (tries + 1).to_string())
        .exec();
    eprintln!("OX Teams Connector could not start again: {failed}");
}

/// What the window and the desktop hear after a dispatcher pass that changed something.
fn tell_window(app: &AppHandle, report: &DispatchReport) {
    events::OUTBOX.emit(app, report);
    if report.failed > 0 {
        notify_failure(app, report.failed);
    }
}

fn notify_failure(app: &AppHandle, failed: u32) {
    let body = if failed == 1 {
        "A message could not be delivered. Activity shows the recipient and the reason.".to_string()
    } else {
        format!(
            "{failed} messages could not be delivered. Activity shows the recipients and the reasons."
        )
    };
    if let Err(error) = app
        .notification()
        .builder()
        .title("OX Teams Connector")
        .body(body)
        .show()
    {
        log::warn!("could not show a desktop notification: {error}");
    }
}

/// The tray icon: open the window, or quit (ending the outbox too).
#[cfg(desktop)]
fn add_tray(app: &AppHandle) -> tauri::Result<()> {
    use tauri::menu::{Menu, MenuItem};
    use tauri::tray::{MouseButton, TrayIconBuilder, TrayIconEvent};
    let open = MenuItem::with_id(app, "open", "Open OX Teams Connector", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit (stops sending)", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("OX Teams Connector — sends workflow messages while it runs")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => focus_main_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                ..
            } = event
            {
                focus_main_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

fn focus_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
