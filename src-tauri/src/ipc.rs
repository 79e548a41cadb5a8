//! The window's side of the IPC surface. `build.rs` reads the commands (`commands.rs`) and the
//! events (`events.rs`) and lists their Rust types; this module names them in TypeScript with
//! ts-rs and writes `ipc.ts` beside the other bindings, so the wrappers the UI calls cannot
//! drift from the commands the app registers and the permissions its window holds.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ts_rs::{Config, Dependency, TS, TypeVisitor};

/// A command as the window calls it.
pub struct CommandSignature {
    pub name: &'static str,
    pub docs: String,
    /// (Rust name, TypeScript type)
    pub args: Vec<(&'static str, String)>,
    pub returns: String,
}

/// An event as the window hears it.
pub struct EventSignature {
    pub name: &'static str,
    pub docs: String,
    pub payload: String,
}

/// TypeScript names of Rust types, and the binding files they come from.
pub struct Types {
    config: Config,
    /// TypeScript name → file, for the imports.
    files: BTreeMap<String, String>,
}

impl Types {
    pub fn new(config: Config) -> Types {
        Types {
            config,
            files: BTreeMap::new(),
        }
    }

    /// `T`'s TypeScript name, remembering the bindings it needs.
    pub fn name<T: TS + 'static + ?Sized>(&mut self) -> String {
        struct Collect<'a> {
            config: &'a Config,
            files: &'a mut BTreeMap<String, String>,
            seen: HashSet<TypeId>,
        }
        impl TypeVisitor for Collect<'_> {
            fn visit<U: TS + 'static + ?Sized>(&mut self) {
                if !self.seen.insert(TypeId::of::<U>()) {
                    return;
                }
                if let Some(dependency) = Dependency::from_ty::<U>(self.config) {
                    let file = dependency.output_path.with_extension("");
                    self.files
                        .insert(dependency.ts_name, file.display().to_string());
                }
                U::visit_dependencies(self);
                U::visit_generics(self);
            }
        }
        Collect {
            config: &self.config,
            files: &mut self.files,
            seen: HashSet::new(),
        }
        .visit::<T>();
        T::name(&self.config)
    }
}

fn camel(snake: &str) -> String {
    let mut words = snake.split('_');
    let first = words.next().unwrap_or_default().to_string();
    words.fold(first, |mut out, word| {
        let mut chars = word.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
        out
    })
}

/// "outbox-changed" → "onOutboxChanged"
fn listener(event: &str) -> String {
    let name = camel(&event.replace('-', "_"));
    let mut chars = name.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("on{first}{}", chars.as_str())
}

fn doc(text: &str, indent: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("{indent}/** {} */\n", text.replace("*/", "* /"))
    }
}

/// The TypeScript module: one wrapper per command, one listener per event, and their imports.
pub fn typescript(
    commands: &[CommandSignature],
    events: &[EventSignature],
    types: &Types,
) -> String {
    let mut body = String::from("export const commands = {\n");
    for command in commands {
        let params: Vec<String> = command
            .args
            .iter()
            .map(|(name, ty)| format!("{}: {ty}", camel(name)))
            .collect();
        let object = match command.args.is_empty() {
            true => String::new(),
            false => format!(
                ", {{ {} }}",
                command
                    .args
                    .iter()
                    .map(|(name, _)| camel(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        body.push_str(&doc(&command.docs, "  "));
        body.push_str(&format!(
            "  {}: ({}) => call<{}>(\"{}\"{object}),\n",
            camel(command.name),
            params.join(", "),
            command.returns,
            command.name
        ));
    }
    body.push_str("};\n");
    for event in events {
        body.push('\n');
        body.push_str(&doc(&event.docs, ""));
        body.push_str(&format!(
            "export const {} = (handler: (payload: {payload}) => void): Promise<() => void> =>\n  listenTo<{payload}>(\"{}\", handler);\n",
            listener(event.name),
            event.name,
            payload = event.payload,
        ));
    }
    // A type is imported when code names it; a doc comment's words ("Every source…") do not.
    let code: String = body
        .lines()
        .filter(|line| !line.trim_start().starts_with("/**"))
        .collect::<Vec<_>>()
        .join("\n");
    let used = |name: &str| {
        code.split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|word| word == name)
    };
    let mut module = String::from(
        "// Generated from src-tauri/src/commands.rs and events.rs (src-tauri/src/ipc.rs); run `make bindings`, do not edit.\n",
    );
    for (name, file) in &types.files {
        if used(name) {
            module.push_str(&format!("import type {{ {name} }} from \"./{file}\";\n"));
        }
    }
    module.push_str("import { call, listenTo } from \"../ipc/tauri\";\n\n");
    module.push_str(&body);
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `ipc.ts` where ts-rs writes the other bindings (`make bindings` copies them all
    /// to `ui/src/bindings`, and `make check-bindings` fails when they differ).
    #[test]
    fn export_bindings_ipc() {
        let config = Config::from_env();
        let dir = config.out_dir().to_path_buf();
        let mut types = Types::new(config);
        let mut commands = crate::commands::surface::commands(&mut types);
        commands.extend(crate::owner_commands::surface::commands(&mut types));
        commands.extend(crate::workflow_commands::surface::commands(&mut types));
        let events = crate::events::surface::events(&mut types);
        assert!(commands.iter().any(|c| c.name == "send_message"));
        let module = typescript(&commands, &events, &types);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ipc.ts"), module).unwrap();
    }

    #[test]
    fn wrappers_take_the_window_arguments_in_camel_case_and_skip_tauri_s_own() {
        let mut types = Types::new(Config::default());
        let commands = crate::commands::surface::commands(&mut types);
        let channels = commands.iter().find(|c| c.name == "list_channels").unwrap();
        let module = typescript(std::slice::from_ref(channels), &[], &types);
        assert!(
            module.contains(
                "listChannels: (teamId: string, freshness: Freshness) => call<Listing<Channel>>(\"list_channels\", { teamId, freshness }),"
            ),
            "{module}"
        );
        assert!(module.contains("import type { Listing } from \"./Listing\";"));
        assert!(!module.contains("Shell"), "{module}");
    }

    #[test]
    fn listeners_are_named_after_their_events() {
        assert_eq!(listener("outbox-changed"), "onOutboxChanged");
        assert_eq!(listener("deep-link"), "onDeepLink");
    }
}
