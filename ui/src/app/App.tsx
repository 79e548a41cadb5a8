import { FluentProvider, makeStyles } from "@fluentui/react-components";
import { useEffect, useState } from "react";

import type { Startup } from "../bindings/Startup";
import { CommandError, commands } from "../ipc/commands";
import { forgetFirstReads, takeFirstRead } from "../shared/firstReads";
import { Loading } from "../shared/Loading";
import { AppShell } from "./AppShell";
import { StartupFailure } from "./StartupFailure";
import { useSystemTheme } from "./useSystemTheme";

const useStyles = makeStyles({
  loading: { margin: "auto" },
});

function startupFailure(error: unknown): Startup {
  return {
    state: "database_failed",
    error: error instanceof CommandError ? error : new CommandError("internal", String(error)),
    data_dir: "",
    database_path: "",
  };
}

export function App() {
  const theme = useSystemTheme();
  const styles = useStyles();
  // Read before the window first drew (main.tsx), unless that took too long.
  const [startup, setStartup] = useState<Startup | null>(() => {
    const first = takeFirstRead(commands.startup);
    return first ? (first.ok ? first.value : startupFailure(first.error)) : null;
  });

  useEffect(() => {
    // Children's effects have run: what the first frame did not use is stale from now on.
    forgetFirstReads();
    if (startup === null) commands.startup().then(setStartup, (error: unknown) => setStartup(startupFailure(error)));
    // Asked once, when the window opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    // No layout class here: Fluent copies the provider's classes to every portal (menus,
    // dropdowns, dialogs), and a full-height one would cover the window. global.css sizes it.
    <FluentProvider theme={theme}>
      {startup === null ? (
        <Loading className={styles.loading} label="Starting OX Teams Connector…" />
      ) : startup.state === "ready" ? (
        <AppShell version={startup.version} />
      ) : (
        <StartupFailure
          message={startup.error.message}
          dataDir={startup.data_dir}
          databasePath={startup.database_path}
        />
      )}
    </FluentProvider>
  );
}
