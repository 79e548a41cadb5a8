import { useCallback, useEffect, useState } from "react";

import type { ImportProgress } from "../../bindings/ImportProgress";
import type { ImportReport } from "../../bindings/ImportReport";
import { commands, onFilesDropped, onImportProgress } from "../../ipc/commands";

export type ImportState =
  | { phase: "idle" }
  | { phase: "running"; progress: ImportProgress | null }
  | { phase: "done"; report: ImportReport }
  | { phase: "failed"; message: string };

/** Importing reports chosen in the file chooser or dropped on the window, with progress. */
export function useImport(onImported: () => void) {
  const [state, setState] = useState<ImportState>({ phase: "idle" });

  const run = useCallback(
    (start: () => Promise<ImportReport | null>) => {
      setState({ phase: "running", progress: null });
      start().then(
        (report) => {
          setState(report === null ? { phase: "idle" } : { phase: "done", report });
          if (report !== null) onImported();
        },
        (error: Error) => setState({ phase: "failed", message: error.message }),
      );
    },
    [onImported],
  );

  useEffect(() => {
    let stopped = false;
    const unlisteners = [
      onImportProgress((progress) => {
        if (!stopped) setState((current) => (current.phase === "running" ? { phase: "running", progress } : current));
      }),
      onFilesDropped((paths) => {
        if (!stopped) run(() => commands.importPaths(paths));
      }),
    ];
    return () => {
      stopped = true;
      for (const unlisten of unlisteners) void unlisten.then((stop) => stop());
    };
  }, [run]);

  return {
    state,
    chooseFiles: () => run(() => commands.chooseAndImport(false)),
    chooseFolder: () => run(() => commands.chooseAndImport(true)),
    cancel: () => void commands.cancelImport(),
    dismiss: () => setState({ phase: "idle" }),
  };
}
