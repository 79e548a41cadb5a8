// The only module that imports @tauri-apps/*. Everything else reaches Rust through ./commands.
import { invoke } from "@tauri-apps/api/core";
import { TauriEvent, listen } from "@tauri-apps/api/event";

import type { AppError } from "../bindings/AppError";
import type { ErrorCode } from "../bindings/ErrorCode";

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

/** Calls `handler` with every payload of the event `name`; returns a function that stops. The
 * generated listeners (bindings/ipc.ts) name the events and their payloads. */
export async function listenTo<T>(name: string, handler: (payload: T) => void): Promise<() => void> {
  return listen<T>(name, (event) => handler(event.payload));
}

/** Calls `handler` with the paths of files dropped on the window. The event is heard directly:
 * the webview module that also offers it weighs 15 KB on the first page, for this alone. */
export async function onFilesDropped(handler: (paths: string[]) => void): Promise<() => void> {
  return listen<{ paths: string[] }>(TauriEvent.DRAG_DROP, (event) => {
    if (event.payload.paths.length > 0) handler(event.payload.paths);
  });
}
