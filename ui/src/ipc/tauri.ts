// The only module that imports @tauri-apps/*. Everything else reaches Rust through ./commands.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { AppError } from "../bindings/AppError";
import type { ErrorCode } from "../bindings/ErrorCode";
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
