// The only module that imports @tauri-apps/*. Everything else reaches Rust through ./commands.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";

import type { AppError } from "../bindings/AppError";
import type { DispatchReport } from "../bindings/DispatchReport";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { LinkEvent } from "../bindings/LinkEvent";
import type { SignInWaiting } from "../bindings/SignInWaiting";

/** A failed command, carrying the core's stable code. */
export class CommandError extends Error implements AppError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "CommandError";
    this.code = code;
  }
}

function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const { code, message } = error as AppError;
    return new CommandError(code, message);
  }
  return new CommandError("internal", typeof error === "string" ? error : String(error));
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toCommandError(error);
  }
}

/** The event name is shared with src-tauri/src/lib.rs (LINK_EVENT). */
const LINK_EVENT = "deep-link";

/** Calls `handler` for every ox-teams:// link the app receives; returns a function that stops. */
export async function onLink(handler: (event: LinkEvent) => void): Promise<() => void> {
  return listen<LinkEvent>(LINK_EVENT, (event) => handler(event.payload));
}

/** Shared with src-tauri/src/lib.rs (SIGN_IN_EVENT). */
const SIGN_IN_EVENT = "sign-in-waiting";

/** Calls `handler` when the app has sent the browser to Microsoft's sign-in. */
export async function onSignInWaiting(handler: (event: SignInWaiting) => void): Promise<() => void> {
  return listen<SignInWaiting>(SIGN_IN_EVENT, (event) => handler(event.payload));
}

/** Shared with src-tauri/src/lib.rs (IMPORT_EVENT). */
const IMPORT_EVENT = "import-progress";

/** Calls `handler` as an import reads its files. */
export async function onImportProgress(handler: (event: ImportProgress) => void): Promise<() => void> {
  return listen<ImportProgress>(IMPORT_EVENT, (event) => handler(event.payload));
}

/** Shared with src-tauri/src/lib.rs (OUTBOX_EVENT). */
const OUTBOX_EVENT = "outbox-changed";

/** Calls `handler` when deliveries were sent, failed, retried or paused. */
export async function onOutboxChanged(handler: (event: DispatchReport) => void): Promise<() => void> {
  return listen<DispatchReport>(OUTBOX_EVENT, (event) => handler(event.payload));
}

/** Calls `handler` with the paths of files dropped on the window. */
export async function onFilesDropped(handler: (paths: string[]) => void): Promise<() => void> {
  return getCurrentWebview().onDragDropEvent((event) => {
    if (event.payload.type === "drop" && event.payload.paths.length > 0) handler(event.payload.paths);
  });
}
