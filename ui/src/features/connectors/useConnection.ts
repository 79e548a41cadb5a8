import { useCallback, useEffect, useState } from "react";

import type { ConnectionState } from "../../bindings/ConnectionState";
import type { SignInWaiting } from "../../bindings/SignInWaiting";
import { CommandError, commands } from "../../ipc/commands";
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
  const [state, setState] = useState<ConnectionState | null>(null);
  const [phase, setPhase] = useState<Phase>("loading");
  const [waiting, setWaiting] = useSignInWaiting();
  const [problem, setProblem] = useState<string | null>(null);
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

  const check = useCallback(() => {
    setPhase("checking");
    commands.checkConnection().then(settle, (error) => {
      fail(error);
      void commands.connectionState().then(setState);
    });
  }, [settle, fail]);

  useEffect(() => {
    let current = true;
    // First what is known, at once; then what Microsoft says.
    void commands.connectionState().then((known) => {
      if (!current) return;
      setState(known);
      if (known.state === "connected") check();
      else setPhase("idle");
    }, fail);
    return () => {
      current = false;
    };
  }, [check, fail]);

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
