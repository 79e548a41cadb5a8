// What the window may ask of Rust and hear from it. The wrappers and listeners are generated from
// src-tauri/src/commands.rs and events.rs (bindings/ipc.ts); the Tauri calls live in ./tauri.
export { commands, onDeepLink, onImportProgress, onOutboxChanged, onSignInWaiting, onSourcesChecked } from "../bindings/ipc";
export { CommandError, onFilesDropped } from "./tauri";
