import { FluentProvider, makeStyles } from "@fluentui/react-components";
import { useEffect, useState } from "react";

import type { Startup } from "../bindings/Startup";
import { CommandError, commands } from "../ipc/commands";
import { Loading } from "../shared/Loading";
import { AppShell } from "./AppShell";
import { StartupFailure } from "./StartupFailure";
import { useSystemTheme } from "./useSystemTheme";

const useStyles = makeStyles({
  loading: { margin: "auto" },
});

export function App() {
  const theme = useSystemTheme();
  const styles = useStyles();
  const [startup, setStartup] = useState<Startup | null>(null);

  useEffect(() => {
    commands.startup().then(setStartup, (error: unknown) =>
      setStartup({
        state: "database_failed",
        error: error instanceof CommandError ? error : new CommandError("internal", String(error)),
        data_dir: "",
        database_path: "",
      }),
    );
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
