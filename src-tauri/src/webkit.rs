//! How WebKitGTK paints the window on Linux.
//!
//! WebKitGTK composites a page's layers with OpenGL. Without a GPU (virtual machines, remote
//! desktops, servers) that OpenGL is Mesa's llvmpipe on the CPU: on such a machine compositing
//! costs the window about 100 MB (`make bench`, tests/scripts/bench-app.sh) for nothing a
//! person sees. So when no GPU renders OpenGL, the window paints without it, as
//! WebKit's own `hardware-acceleration-policy` allows:
//! https://webkitgtk.org/reference/webkit2gtk/stable/property.Settings.hardware-acceleration-policy.html
//! Other Tauri apps turn compositing off for broken drivers (tauri-apps/tauri#5143); WebKit's
//! own variables (`WEBKIT_DISABLE_COMPOSITING_MODE`, `WEBKIT_FORCE_COMPOSITING_MODE`) still
//! decide when a person sets them.
//!
//! The page's scripts run without JavaScriptCore's optimising compilers (DFG, and FTL above
//! it): a window of forms and paged tables never runs a script long enough to repay them, while
//! their compile threads take one of the cores while the first page draws and their code and
//! data hold about 5 MB of the web process (`make bench`, issue 16). The interpreter and the
//! baseline JIT still run everything. Embedded WebKit builds make the same choice
//! (WebPlatformForEmbedded/meta-wpe#573). A person's own `JSC_*` variables still decide.

use std::path::Path;

/// How the window should paint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Painting {
    /// Leave it to WebKit: compositing through the GPU where it can.
    WebKitDecides,
    /// Paint without compositing: there is no GPU to composite with.
    WithoutCompositing,
}

/// Decides how to paint from the DRM render nodes in `render_nodes` (`/dev/dri`) and the
/// environment (`var`): compositing only pays where a GPU renders OpenGL, that is where a render
/// node opens for reading and writing and Mesa is not told to render in software
/// (`LIBGL_ALWAYS_SOFTWARE`, https://docs.mesa3d.org/envvars.html).
pub fn choose_painting(render_nodes: &Path, var: impl Fn(&str) -> Option<String>) -> Painting {
    let set = |name: &str| var(name).is_some_and(|value| !value.is_empty());
    if set("WEBKIT_DISABLE_COMPOSITING_MODE") || set("WEBKIT_FORCE_COMPOSITING_MODE") {
        return Painting::WebKitDecides;
    }
    let software = var("LIBGL_ALWAYS_SOFTWARE").is_some_and(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "y"
        )
    });
    if !software && gpu_renders(render_nodes) {
        Painting::WebKitDecides
    } else {
        Painting::WithoutCompositing
    }
}

/// Whether a render node (`renderD128`, …) in `dir` opens for reading and writing.
fn gpu_renders(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        entry.file_name().to_string_lossy().starts_with("renderD")
            && std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(entry.path())
                .is_ok()
    })
}

/// The JavaScriptCore options for the web process, as variables it inherits, given the
/// environment (`var`): none when a person has set any `JSC_` option of the JIT tiers.
pub fn script_engine_variables(
    var: impl Fn(&str) -> Option<String>,
) -> &'static [(&'static str, &'static str)] {
    const JIT_TIERS: [&str; 3] = ["JSC_useJIT", "JSC_useDFGJIT", "JSC_useFTLJIT"];
    if JIT_TIERS.iter().any(|name| var(name).is_some()) {
        &[]
    } else {
        &[("JSC_useDFGJIT", "false")]
    }
}

/// Sets the web process's JavaScriptCore options. Call it first in `run`, before any thread
/// starts: the web process inherits the environment when WebKit spawns it.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn tune_script_engine() {
    for (name, value) in script_engine_variables(|name| std::env::var(name).ok()) {
        // SAFETY: no other thread exists yet to read the environment while it changes.
        unsafe { std::env::set_var(name, value) };
    }
}

#[cfg(not(target_os = "linux"))]
pub fn tune_script_engine() {}

/// Applies the choice to every window's web view. Called from `setup`, before the page paints.
#[cfg(target_os = "linux")]
pub fn apply(app: &tauri::App) {
    use tauri::Manager;
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};

    let painting = choose_painting(Path::new("/dev/dri"), |name| std::env::var(name).ok());
    if painting == Painting::WebKitDecides {
        return;
    }
    log::info!("no GPU renders OpenGL here: the window paints without compositing");
    for window in app.webview_windows().values() {
        let applied = window.with_webview(|webview| {
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(error) = applied {
            log::warn!("could not set how the window paints: {error}");
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn apply(_app: &tauri::App) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn paints_without_compositing_where_no_gpu_renders() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path();
        assert_eq!(
            choose_painting(none, env(&[])),
            Painting::WithoutCompositing
        );
        assert_eq!(
            choose_painting(Path::new("/no/such/dir"), env(&[])),
            Painting::WithoutCompositing
        );
        // A card node alone (display only, no rendering) is not a GPU to composite with.
        std::fs::write(none.join("card0"), b"").unwrap();
        assert_eq!(
            choose_painting(none, env(&[])),
            Painting::WithoutCompositing
        );
    }

    #[test]
    fn leaves_it_to_webkit_where_a_gpu_renders_unless_mesa_is_told_software() {
        let dir = tempfile::tempdir().unwrap();
        let gpu = dir.path();
        std::fs::write(gpu.join("renderD128"), b"").unwrap();
        assert_eq!(choose_painting(gpu, env(&[])), Painting::WebKitDecides);
        for software in ["1", "true", "YES"] {
            assert_eq!(
                choose_painting(gpu, env(&[("LIBGL_ALWAYS_SOFTWARE", software)])),
                Painting::WithoutCompositing
            );
        }
        assert_eq!(
            choose_painting(gpu, env(&[("LIBGL_ALWAYS_SOFTWARE", "0")])),
            Painting::WebKitDecides
        );
    }

    #[test]
    fn scripts_run_without_the_optimising_jit_unless_a_person_chose_the_tiers() {
        assert_eq!(
            script_engine_variables(env(&[])),
            &[("JSC_useDFGJIT", "false")]
        );
        for name in ["JSC_useJIT", "JSC_useDFGJIT", "JSC_useFTLJIT"] {
            assert!(script_engine_variables(env(&[(name, "true")])).is_empty());
        }
        // Other JavaScriptCore options are no choice of tiers.
        assert_eq!(
            script_engine_variables(env(&[("JSC_useConcurrentGC", "false")])).len(),
            1
        );
    }

    #[test]
    fn a_person_setting_webkits_own_variables_decides() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "WEBKIT_DISABLE_COMPOSITING_MODE",
            "WEBKIT_FORCE_COMPOSITING_MODE",
        ] {
            assert_eq!(
                choose_painting(dir.path(), env(&[(name, "1")])),
                Painting::WebKitDecides
            );
        }
    }
}
