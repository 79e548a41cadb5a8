import {
  Body1,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DatabaseWarning20Regular, FolderOpen20Regular } from "@fluentui/react-icons";
import { useState } from "react";

import { commands } from "../ipc/commands";

const useStyles = makeStyles({
  root: {
    margin: "auto",
    maxWidth: "680px",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: tokens.spacingHorizontalXXL,
  },
  heading: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: "anywhere",
    userSelect: "all",
  },
});

/** Shown instead of the app when its database cannot be opened: what happened, where, what to do. */
export function StartupFailure(props: { message: string; dataDir: string; databasePath: string }) {
  const styles = useStyles();
  const [openError, setOpenError] = useState<string | null>(null);
  return (
    <main className={styles.root} data-testid="startup-failure">
      <div className={styles.heading}>
        <DatabaseWarning20Regular fontSize={40} aria-hidden />
        <Title2 as="h1">OX Teams Connector cannot open its database</Title2>
      </div>
      <Body1>{props.message}</Body1>
      {props.databasePath && (
        <div>
          <Caption1>Database file</Caption1>
          <div className={styles.path} data-testid="database-path">
            {props.databasePath}
          </div>
        </div>
      )}
      <Body1>
        Nothing has been changed or deleted. Fix the file or the folder, then quit and start the app
        again.
      </Body1>
      {props.dataDir && (
        <div>
          <Button
            icon={<FolderOpen20Regular />}
            onClick={() =>
              commands.openDataFolder().then(
                () => setOpenError(null),
                (error: Error) => setOpenError(error.message),
              )
            }
          >
            Open data folder
          </Button>
        </div>
      )}
      {openError && (
        <MessageBar layout="multiline" intent="error">
          <MessageBarBody>{openError}</MessageBarBody>
        </MessageBar>
      )}
    </main>
  );
}
