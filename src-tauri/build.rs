//! The IPC surface comes from one place: every `#[tauri::command]` in the modules of
//! [`COMMAND_MODULES`] (`src/commands.rs`, `src/owner_commands.rs`,
//! `src/workflow_commands.rs`) and every `Event` in `src/events.rs`. From them this script derives what must agree with them:
//! - the command permissions (tauri-build's app manifest) and the one capability the window
//!   gets (`capabilities/main.json`, rewritten when the list changes);
//! - the invoke handler (`$OUT_DIR/handler.rs`, included by `lib.rs`);
//! - the TypeScript wrappers: `$OUT_DIR/ipc_commands.rs` and `ipc_events.rs` list each
//!   command's arguments and result and each event's payload as Rust types, and the `export_bindings_ipc` test
//!   (`src/ipc.rs`) writes `ui/src/bindings/ipc.ts` from it with ts-rs's names (the bindings
//!   check fails when the committed file differs).

use std::fmt::Write as _;
use std::path::Path;

use quote::ToTokens;

/// Parameters Tauri fills in itself; the window never passes them.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "WebviewWindow", "Webview"];

/// The files (modules of the shell crate) whose `#[tauri::command]`s the window may call.
const COMMAND_MODULES: [&str; 3] = ["commands", "owner_commands", "workflow_commands"];

struct Command {
    /// The module it is in.
    module: &'static str,
    name: String,
    docs: Vec<String>,
    /// (Rust name, Rust type)
    args: Vec<(String, String)>,
    returns: String,
}

struct Event {
    name: String,
    payload: String,
    docs: Vec<String>,
}

fn docs(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last(),
        _ => None,
    }
}

fn first_generic(segment: &syn::PathSegment) -> Option<&syn::Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(ty) => Some(ty),
            _ => None,
        }),
        _ => None,
    }
}

fn text(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string()
}

fn commands(source: &str) -> Vec<Command> {
    let file = syn::parse_file(source).expect("a command module parses");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f)
                if f.attrs.iter().any(|a| {
                    a.path()
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "command")
                }) =>
            {
                Some(f)
            }
            _ => None,
        })
        .map(|f| {
            let name = f.sig.ident.to_string();
            let args = f
                .sig
                .inputs
                .iter()
                .filter_map(|input| match input {
                    syn::FnArg::Typed(arg) => Some(arg),
                    syn::FnArg::Receiver(_) => None,
                })
                .filter(|arg| {
                    last_segment(&arg.ty)
                        .is_none_or(|s| !INJECTED.contains(&s.ident.to_string().as_str()))
                })
                .map(|arg| (arg.pat.to_token_stream().to_string(), text(&arg.ty)))
                .collect();
            let returns = match &f.sig.output {
                syn::ReturnType::Type(_, ty) => last_segment(ty)
                    .filter(|s| s.ident == "Result")
                    .and_then(first_generic)
                    .map(text),
                syn::ReturnType::Default => None,
            }
            .unwrap_or_else(|| panic!("the command {name} must return Result<T, AppError>"));
            Command {
                module: "commands",
                docs: docs(&f.attrs),
                name,
                args,
                returns,
            }
        })
        .collect()
}

fn events(source: &str) -> Vec<Event> {
    let file = syn::parse_file(source).expect("src/events.rs parses");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Const(c) => Some(c),
            _ => None,
        })
        .filter_map(|c| {
            let segment = last_segment(&c.ty).filter(|s| s.ident == "Event")?;
            let payload = text(first_generic(segment)?);
            let syn::Expr::Call(call) = &*c.expr else {
                return None;
            };
            let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(name),
                ..
            })) = call.args.first()
            else {
                return None;
            };
            Some(Event {
                name: name.value(),
                payload,
                docs: docs(&c.attrs),
            })
        })
        .collect()
}

/// Rust code, compiled in the shell's tests, that names each argument, result and payload in
/// TypeScript through ts-rs (so the names are the bindings' own).
fn surface(commands: &[&Command], events: &[Event]) -> (String, String) {
    let mut code =
        String::from("pub fn commands(types: &mut Types) -> Vec<CommandSignature> {\n    vec![\n");
    for command in commands {
        let args: Vec<String> = command
            .args
            .iter()
            .map(|(name, ty)| format!("({name:?}, types.name::<{ty}>())"))
            .collect();
        writeln!(
            code,
            "        CommandSignature {{ name: {:?}, docs: {:?}.to_string(), args: vec![{}], returns: types.name::<{}>() }},",
            command.name,
            command.docs.join(" "),
            args.join(", "),
            command.returns
        )
        .unwrap();
    }
    code.push_str("    ]\n}\n");
    let mut events_code =
        String::from("pub fn events(types: &mut Types) -> Vec<EventSignature> {\n    vec![\n");
    for event in events {
        writeln!(
            events_code,
            "        EventSignature {{ name: {:?}, docs: {:?}.to_string(), payload: types.name::<{}>() }},",
            event.name,
            event.docs.join(" "),
            event.payload
        )
        .unwrap();
    }
    events_code.push_str("    ]\n}\n");
    (code, events_code)
}

fn main() {
    println!("cargo:rerun-if-changed=src/events.rs");
    let mut commands = Vec::new();
    for module in COMMAND_MODULES {
        let file = format!("src/{module}.rs");
        println!("cargo:rerun-if-changed={file}");
        let source = std::fs::read_to_string(&file).expect("a command module");
        commands.extend(self::commands(&source).into_iter().map(|mut c| {
            c.module = module;
            c
        }));
    }
    let events = events(&std::fs::read_to_string("src/events.rs").expect("src/events.rs"));
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let out = Path::new(&out);

    let handler = format!(
        "tauri::generate_handler![{}]",
        commands
            .iter()
            .map(|c| format!("crate::{}::{}", c.module, c.name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(out.join("handler.rs"), handler).expect("handler.rs");
    for module in COMMAND_MODULES {
        let listed: Vec<&Command> = commands.iter().filter(|c| c.module == module).collect();
        let (command_surface, _) = surface(&listed, &[]);
        std::fs::write(out.join(format!("ipc_{module}.rs")), command_surface)
            .expect("ipc_<module>.rs");
    }
    let (_, event_surface) = surface(&[], &events);
    std::fs::write(out.join("ipc_events.rs"), event_surface).expect("ipc_events.rs");

    let mut permissions = vec![
        "core:event:allow-listen".to_string(),
        "core:event:allow-unlisten".to_string(),
    ];
    permissions.extend(
        commands
            .iter()
            .map(|c| format!("allow-{}", c.name.replace('_', "-"))),
    );
    let capability = serde_json::json!({
        "$schema": "../gen/schemas/desktop-schema.json",
        "identifier": "main",
        "description": "The main window may call the app's own commands and listen to its events; nothing else. Generated by build.rs from the command modules.",
        "windows": ["main"],
        "permissions": permissions,
    });
    let capability = serde_json::to_string_pretty(&capability).expect("json") + "\n";
    let path = Path::new("capabilities/main.json");
    if std::fs::read_to_string(path).ok().as_deref() != Some(capability.as_str()) {
        std::fs::write(path, capability).expect("capabilities/main.json");
    }

    let names: &'static [&'static str] = Vec::leak(
        commands
            .iter()
            .map(|c| &*String::leak(c.name.clone()))
            .collect(),
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(names)),
    )
    .expect("tauri build script");
}
