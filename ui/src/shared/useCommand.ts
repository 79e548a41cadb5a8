import { useCallback, useEffect, useState } from "react";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "ready"; data: T }
  | { state: "failed"; message: string };

/** Runs a command when the component mounts, on `reload`, and whenever `key` changes. */
export function useCommand<T>(run: () => Promise<T>, key: unknown = null): Loaded<T> & { reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
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
