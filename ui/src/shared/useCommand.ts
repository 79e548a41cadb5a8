import { useCallback, useEffect, useRef, useState } from "react";

import { messageOf, takeFirstRead } from "./firstReads";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "ready"; data: T }
  | { state: "failed"; message: string };

/** Runs a command when the component mounts (unless the window read it first: firstReads.ts),
 * on `reload`, and whenever `key` changes. */
export function useCommand<T>(run: () => Promise<T>, key: unknown = null): Loaded<T> & { reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>(() => {
    const first = takeFirstRead(run);
    if (!first) return { state: "loading" };
    return first.ok ? { state: "ready", data: first.value } : { state: "failed", message: messageOf(first.error) };
  });
  const answeredFirst = useRef(loaded.state !== "loading");
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (answeredFirst.current) {
      answeredFirst.current = false;
      return;
    }
    let current = true;
    run().then(
      (data) => current && setLoaded({ state: "ready", data }),
      (error: Error) => current && setLoaded({ state: "failed", message: error.message }),
    );
    return () => {
      current = false;
    };
  }, [run, generation, key]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...loaded, reload };
}
