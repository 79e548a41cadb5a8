//! A bare Tauri 2 app: one window showing one page. `make bench` starts it beside the real app
//! to print what the app costs above Tauri and WebKit themselves. The page is static HTML
//! (dist/index.html), or the page of dist/ named as the argument: bench-app.sh builds the UI's
//! floor there first (floor.html: React and Fluent UI's provider with one button).

use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() {
    let page = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "index.html".to_string());
    tauri::Builder::default()
        .setup(move |app| {
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App(page.as_str().into()))
                .title("Bare Tauri")
                .inner_size(1240.0, 820.0)
                .center()
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the bare Tauri app runs");
}
