import { useCallback, useEffect, useState } from "react";

import type { ConnectionState } from "../../bindings/ConnectionState";
import type { SignInWaiting } from "../../bindings/SignInWaiting";
import { CommandError, commands } from "../../ipc/commands";
import { messageOf, takeFirstRead } from "../../shared/firstReads";
import { useSignInWaiting } from "./useSignInWaiting";

export type Phase = "loading" | "idle" | "checking" | "waiting" | "disconnecting";

export interface Connection {
  state: ConnectionState | null;
  phase: Phase;
  /** While waiting for the browser: where it was sent. */
  waiting: SignInWaiting | null;
  /** What went wrong with the last action, worded by the core. */
  problem: string | null;
  /** Bumped whenever the connection changed, so dependents reload. */
  revision: number;
  connect: (only?: string[]) => void;
  cancel: () => void;
  check: () => void;
  disconnect: () => void;
}

/** The Identity provider connection: its state, and the actions on it. */
export function useConnection(): Connection {
  // What the window read before it first drew (firstReads.ts), if it did.
  const [first] = useState(() => takeFirstRead(commands.connectionState));
  const firstConnected = first?.ok === true && first.value.state === "connected";
  const [state, setState] = useState<ConnectionState | null>(first?.ok ? first.value : null);
  const [phase, setPhase] = useState<Phase>(first ? (firstConnected ? "checking" : "idle") : "loading");
  const [waiting, setWaiting] = useSignInWaiting();
  const [problem, setProblem] = useState<string | null>(first && !first.ok ? messageOf(first.error) : null);
  const [revision, setRevision] = useState(0);

  const settle = useCallback((next: ConnectionState) => {
    setState(next);
    setPhase("idle");
    setRevision((r) => r + 1);
  }, []);
  const fail = useCallback((error: unknown) => {
    setPhase("idle");
    const cancelled = error instanceof CommandError && error.code === "sign_in_cancelled";
    setProblem(cancelled ? null : (error as Error).message);
  }, []);

  /** Asks Microsoft whether the connection still works; the phase says "checking" meanwhile. */
  const askMicrosoft = useCallback(() => {
    commands.checkConnection().then(settle, (error) => {
      fail(error);
      void commands.connectionState().then(setState);
    });
  }, [settle, fail]);
  const check = useCallback(() => {
    setPhase("checking");
    askMicrosoft();
  }, [askMicrosoft]);

  useEffect(() => {
    // First what is known, at once; then what Microsoft says.
    if (first) {
      if (firstConnected) askMicrosoft();
      return;
    }
    let current = true;
    void commands.connectionState().then((known) => {
      if (!current) return;
      setState(known);
      if (known.state === "connected") check();
      else setPhase("idle");
    }, fail);
    return () => {
      current = false;
    };
  }, [first, firstConnected, askMicrosoft, check, fail]);

  const connect = useCallback(
    (only?: string[]) => {
      setProblem(null);
      setWaiting(null);
      setPhase("waiting");
      commands
        .connect(only ?? null)
        .then(settle, fail)
        .finally(() => setWaiting(null));
    },
    [settle, fail, setWaiting],
  );

  const cancel = useCallback(() => void commands.cancelConnect("identity"), []);

  const disconnect = useCallback(() => {
    setProblem(null);
    setPhase("disconnecting");
    commands.disconnect().then(settle, fail);
  }, [settle, fail]);

  return { state, phase, waiting, problem, revision, connect, cancel, check, disconnect };
}
