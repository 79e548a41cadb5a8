import {
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowImport20Regular, DocumentMultiple20Regular, Folder20Regular, ShieldTask24Regular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";

import type { Issue } from "../../bindings/Issue";
import type { IssueFacets } from "../../bindings/IssueFacets";
import type { IssueFilter } from "../../bindings/IssueFilter";
import { commands, onOutboxChanged } from "../../ipc/commands";
import { EmptyState } from "../../shared/EmptyState";
import { PageHeader } from "../../shared/PageHeader";
import { ImportStatus } from "./ImportStatus";
import { IssueDetail } from "./IssueDetail";
import { IssueFilters, OPEN_ISSUES } from "./IssueFilters";
import { IssueTable } from "./IssueTable";
import { SendDialog } from "./send/SendDialog";
import { useImport } from "./useImport";
import { useIssueWindow } from "./useIssueWindow";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, height: "100%", minHeight: 0 },
  top: { display: "flex", alignItems: "flex-start", gap: tokens.spacingHorizontalL },
  header: { flexGrow: 1 },
  body: { display: "flex", gap: tokens.spacingHorizontalM, flexGrow: 1, minHeight: 0 },
});

export function IssuesPage(props: {
  issueId: string | null;
  /** The navigation that opened the issue: a new one (a link clicked again) reloads it. */
  openedBy?: object;
  onOpenActivity: () => void;
}) {
  const styles = useStyles();
  const [filter, setFilter] = useState<IssueFilter>(OPEN_ISSUES);
  const [generation, setGeneration] = useState(0);
  const [facets, setFacets] = useState<IssueFacets | null>(null);
  const [selected, setSelected] = useState<Issue | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [sending, setSending] = useState<Issue | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const window = useIssueWindow(filter, generation);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const importer = useImport(refresh);

  useEffect(() => {
    commands.issueFacets(filter.states).then(setFacets, (error: Error) => setFailure(error.message));
  }, [generation, filter.states]);

  // An ox-teams://issues/<id> link opens that issue.
  useEffect(() => {
    if (props.issueId === null) return;
    let current = true;
    commands.getIssue(props.issueId).then(
      (issue) => {
        if (!current) return;
        setSelected(issue);
        setMissing(null);
      },
      () => current && setMissing(props.issueId),
    );
    return () => {
      current = false;
    };
  }, [props.issueId, props.openedBy]);

  // Answers read back from Teams acknowledge findings, and messages go out after imports (also
  // from ox-teams-cli): the list and the open issue follow.
  useEffect(() => {
    const unlisten = onOutboxChanged((report) => {
      if (report.answers > 0 || report.sent > 0) refresh();
    });
    return () => void unlisten.then((stop) => stop());
  }, [refresh]);
  const selectedId = selected?.id ?? null;
  useEffect(() => {
    if (generation === 0 || selectedId === null) return;
    let current = true;
    commands.getIssue(selectedId).then(
      (issue) => current && setSelected(issue),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [generation, selectedId]);

  const openHelp = (issue: Issue) =>
    commands.openHelp(issue.id).catch((error: Error) => setFailure(error.message));
  const openAlert = (issue: Issue) =>
    commands.openAlert(issue.id).catch((error: Error) => setFailure(error.message));

  const empty = facets !== null && facets.total === 0;
  const importMenu = (
    <Menu positioning="below-end">
      <MenuTrigger disableButtonEnhancement>
        <Button appearance={empty ? "primary" : "secondary"} icon={<ArrowImport20Regular />} disabled={importer.state.phase === "running"}>
          Import findings
        </Button>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuItem icon={<DocumentMultiple20Regular />} onClick={importer.chooseFiles}>
            SARIF or JSON files…
          </MenuItem>
          <MenuItem icon={<Folder20Regular />} onClick={importer.chooseFolder}>
            A folder of reports…
          </MenuItem>
        </MenuList>
      </MenuPopover>
    </Menu>
  );

  return (
    <div className={styles.root}>
      <div className={styles.top}>
        <div className={styles.header}>
          <PageHeader
            title="Active Issues"
            description="Security findings from your scanners. Select one to see everything known about it, and send it to a Teams channel, person or chat."
          />
        </div>
        {!empty && importMenu}
      </div>
      {missing !== null && (
        <MessageBar layout="multiline" intent="warning" data-testid="missing-issue">
          <MessageBarBody>
            <MessageBarTitle>Issue “{missing}” is not here</MessageBarTitle>
            It is not among the active issues on this computer: it may have been resolved, or its report has not been
            imported here.
          </MessageBarBody>
        </MessageBar>
      )}
      {failure !== null && (
        <MessageBar intent="error">
          <MessageBarBody>{failure}</MessageBarBody>
        </MessageBar>
      )}
      <ImportStatus state={importer.state} onCancel={importer.cancel} onDismiss={importer.dismiss} />
      {empty ? (
        <EmptyState icon={ShieldTask24Regular} title="No active issues yet" testId="issues-empty" action={importMenu}>
          Import your scanners' reports: SARIF 2.1.0 files from CodeQL, Semgrep, Trivy, ESLint, Bandit and others, or
          the ox-teams-issues JSON format. You can also drop files on this window, or run{" "}
          <code>ox-teams-cli import PATH</code>. Each finding becomes an issue you can send to Teams.
        </EmptyState>
      ) : (
        <>
          <IssueFilters filter={filter} facets={facets} shown={window.total} onChange={setFilter} />
          {window.failure && (
            <MessageBar intent="error">
              <MessageBarBody>{window.failure}</MessageBarBody>
            </MessageBar>
          )}
          <div className={styles.body}>
            <IssueTable
              window={window}
              compact={selected !== null}
              selectedId={selected?.id ?? null}
              onSelect={setSelected}
              onSend={setSending}
              onOpenHelp={openHelp}
            />
            {selected && (
              <IssueDetail
                issue={selected}
                onClose={() => setSelected(null)}
                onSend={() => setSending(selected)}
                onOpenAlert={() => openAlert(selected)}
                onOpenHelp={() => openHelp(selected)}
              />
            )}
          </div>
        </>
      )}
      {sending && (
        <SendDialog
          issue={sending}
          onClose={() => setSending(null)}
          onOpenActivity={() => {
            setSending(null);
            props.onOpenActivity();
          }}
        />
      )}
    </div>
  );
}
