import { useCallback, useEffect, useState } from "react";

import type { BotSetup } from "../../../bindings/BotSetup";
import type { BotSetupDraft } from "../../../bindings/BotSetupDraft";
import type { BotState } from "../../../bindings/BotState";
import type { SignInWaiting } from "../../../bindings/SignInWaiting";
import { CommandError, commands } from "../../../ipc/commands";
import { messageOf, takeFirstRead } from "../../../shared/firstReads";
import { useSignInWaiting } from "../useSignInWaiting";

export type BotPhase = "loading" | "idle" | "saving" | "waiting" | "checking" | "disconnecting";

export interface Bot {
  setup: BotSetup | null;
  state: BotState | null;
  phase: BotPhase;
  waiting: SignInWaiting | null;
  /** What went wrong with the last action, worded by the core. */
  problem: string | null;
  /** Bumped whenever the bot's setup or connection changed. */
  revision: number;
  /** Saves the card; resolves false when the core refused it (the problem says why). */
  save: (draft: BotSetupDraft) => Promise<boolean>;
  /** Saves the card when given one, then runs the administrator's consent. */
  connect: (draft: BotSetupDraft | null) => void;
  cancel: () => void;
  check: () => void;
  disconnect: (forgetSecret: boolean) => void;
}

/** The Bot identity provider: its setup, its connection, and the actions on them. */
export function useBot(): Bot {
  // What the window read before it first drew (firstReads.ts): both answers, or it asks again.
  const [first] = useState(() => {
    const [setup, state] = [takeFirstRead(commands.botSetup), takeFirstRead(commands.botState)];
    return setup && state ? { setup, state } : null;
  });
  const [setup, setSetup] = useState<BotSetup | null>(first?.setup.ok && first.state.ok ? first.setup.value : null);
  const [state, setState] = useState<BotState | null>(first?.setup.ok && first.state.ok ? first.state.value : null);
  const [phase, setPhase] = useState<BotPhase>(first ? "idle" : "loading");
  const [waiting, setWaiting] = useSignInWaiting();
  const [problem, setProblem] = useState<string | null>(() => {
    const failed = [first?.setup, first?.state].find((answer) => answer && !answer.ok);
    return failed && !failed.ok ? messageOf(failed.error) : null;
  });
  const [revision, setRevision] = useState(0);

  const reload = useCallback(async () => {
    const [nextSetup, nextState] = await Promise.all([commands.botSetup(), commands.botState()]);
    setSetup(nextSetup);
    setState(nextState);
    setRevision((r) => r + 1);
  }, []);
  const fail = useCallback(
    (error: unknown) => {
      const cancelled = error instanceof CommandError && error.code === "sign_in_cancelled";
      setProblem(cancelled ? null : (error as Error).message);
      void reload().finally(() => setPhase("idle"));
    },
    [reload],
  );
  const settle = useCallback(
    (next: BotState) => {
      setState(next);
      void reload().finally(() => setPhase("idle"));
    },
    [reload],
  );

  useEffect(() => {
    if (first) return;
    let current = true;
    void Promise.all([commands.botSetup(), commands.botState()]).then(
      ([nextSetup, nextState]) => {
        if (!current) return;
        setSetup(nextSetup);
        setState(nextState);
        setPhase("idle");
      },
      (error: Error) => {
        if (!current) return;
        setProblem(error.message);
        setPhase("idle");
      },
    );
    return () => {
      current = false;
    };
  }, [first]);

  const save = useCallback(
    async (draft: BotSetupDraft) => {
      setProblem(null);
      setPhase("saving");
      try {
        setSetup(await commands.saveBotSetup(draft));
        setRevision((r) => r + 1);
        setPhase("idle");
        return true;
      } catch (error) {
        setProblem((error as Error).message);
        setPhase("idle");
        return false;
      }
    },
    [],
  );

  const connect = useCallback(
    (draft: BotSetupDraft | null) => {
      void (async () => {
        if (draft !== null && !(await save(draft))) return;
        setProblem(null);
        setWaiting(null);
        setPhase("waiting");
        commands
          .connectBot()
          .then(settle, fail)
          .finally(() => setWaiting(null));
      })();
    },
    [save, settle, fail, setWaiting],
  );

  const cancel = useCallback(() => void commands.cancelConnect("bot"), []);

  const check = useCallback(() => {
    setProblem(null);
    setPhase("checking");
    commands.verifyBot().then(settle, fail);
  }, [settle, fail]);

  const disconnect = useCallback(
    (forgetSecret: boolean) => {
      setProblem(null);
      setPhase("disconnecting");
      commands.disconnectBot(forgetSecret).then(settle, fail);
    },
    [settle, fail],
  );

  return { setup, state, phase, waiting, problem, revision, save, connect, cancel, check, disconnect };
}
