//! The events the app sends to its window, each with its payload type. `build.rs` reads this
//! file: the window's listeners (`ui/src/bindings/ipc.ts`) are generated from these lines.

use std::marker::PhantomData;

use ox_teams_core::auth::SignInWaiting;
use ox_teams_core::issues::ImportProgress;
use ox_teams_core::links::LinkEvent;
use ox_teams_core::outbox::DispatchReport;
use ox_teams_core::sources::PollReport;
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// An event's name, typed by its payload.
pub struct Event<T> {
    pub name: &'static str,
    payload: PhantomData<fn(&T)>,
}

impl<T: Serialize + Clone> Event<T> {
    pub const fn new(name: &'static str) -> Event<T> {
        Event {
            name,
            payload: PhantomData,
        }
    }

    /// Sends it to the main window; a window that is gone is no error.
    pub fn emit(&self, app: &AppHandle, payload: &T) {
        if let Err(error) = app.emit_to("main", self.name, payload.clone()) {
            log::warn!("the window did not get {}: {error}", self.name);
        }
    }
}

/// An `ox-teams://` link the app received.
pub const LINK: Event<LinkEvent> = Event::new("deep-link");

/// The app has sent the browser to Microsoft's sign-in (with the address).
pub const SIGN_IN: Event<SignInWaiting> = Event::new("sign-in-waiting");

/// An import's progress: the file, and bytes read of total.
pub const IMPORT: Event<ImportProgress> = Event::new("import-progress");

/// Deliveries were sent, failed, retried or paused.
pub const OUTBOX: Event<DispatchReport> = Event::new("outbox-changed");

/// Sources were checked: what each found, and its problem.
pub const SOURCES: Event<PollReport> = Event::new("sources-checked");

/// The events' payloads as Rust types, listed by `build.rs` (see `ipc.rs`).
#[cfg(test)]
pub(crate) mod surface {
    use super::*;
    use crate::ipc::{EventSignature, Types};
    include!(concat!(env!("OUT_DIR"), "/ipc_events.rs"));
}
