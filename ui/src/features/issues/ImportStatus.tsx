import {
  Body1,
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss20Regular } from "@fluentui/react-icons";

import type { ImportReport } from "../../bindings/ImportReport";
import type { ImportState } from "./useImport";

const useStyles = makeStyles({
  progress: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
  },
  bar: { flexGrow: 1, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  refused: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
});

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function summary(report: ImportReport): string {
  const imported = report.files.filter((f) => f.outcome === "imported").length;
  const files = imported === 1 ? "1 file" : `${imported} files`;
  const lifecycle = [
    report.reopened > 0 ? `${report.reopened} reopened` : null,
    report.fixed > 0 ? `${report.fixed} fixed` : null,
    report.suppressed > 0 ? `${report.suppressed} suppressed` : null,
  ].filter((part) => part !== null);
  const more = lifecycle.length > 0 ? `, ${lifecycle.join(", ")}` : "";
  return `${files} imported: ${report.new} new, ${report.updated} updated, ${report.existing} unchanged${more}.`;
}

/** The running import's progress, or what the last one did. */
export function ImportStatus(props: { state: ImportState; onCancel: () => void; onDismiss: () => void }) {
  const styles = useStyles();
  const { state } = props;
  if (state.phase === "idle") return null;
  if (state.phase === "running") {
    const p = state.progress;
    const fraction = p && p.bytes_total > 0 ? p.bytes_read / p.bytes_total : undefined;
    return (
      <div className={styles.progress} data-testid="import-progress">
        <div className={styles.bar}>
          <Body1>
            {p === null
              ? "Starting the import…"
              : `Reading ${fileName(p.file)} (${p.file_index + 1} of ${p.file_count})${
                  fraction === undefined ? "" : ` — ${Math.floor(fraction * 100)} %`
                }`}
          </Body1>
          <ProgressBar value={fraction} thickness="large" />
        </div>
        <Button onClick={props.onCancel}>Cancel</Button>
      </div>
    );
  }
  if (state.phase === "failed") {
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>The import stopped</MessageBarTitle>
          {state.message}
        </MessageBarBody>
        <MessageBarActions
          containerAction={<Button appearance="transparent" icon={<Dismiss20Regular />} aria-label="Dismiss" onClick={props.onDismiss} />}
        />
      </MessageBar>
    );
  }
  const { report } = state;
  const refused = report.files.flatMap((f) => (f.outcome === "refused" ? [f] : []));
  return (
    <MessageBar
      intent={report.cancelled || refused.length > 0 ? "warning" : "success"}
      layout="multiline"
      data-testid="import-result"
    >
      <MessageBarBody>
        <MessageBarTitle>{report.cancelled ? "Import cancelled" : "Import finished"}</MessageBarTitle>
        {summary(report)}
        {report.cancelled && " Files read before the cancel were kept; the one being read was not."}
        {refused.length > 0 && (
          <ul className={styles.refused}>
            {refused.map((file) => (
              <li key={file.file}>
                <strong>{fileName(file.file)}</strong> was not imported: {file.problem}
              </li>
            ))}
          </ul>
        )}
      </MessageBarBody>
      <MessageBarActions
        containerAction={<Button appearance="transparent" icon={<Dismiss20Regular />} aria-label="Dismiss" onClick={props.onDismiss} />}
      />
    </MessageBar>
  );
}
