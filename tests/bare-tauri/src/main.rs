//! A bare Tauri 2 app: one window showing one static page. `make bench` starts it beside the
//! real app to print what the app costs above Tauri and WebKit themselves.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the bare Tauri app runs");
}
