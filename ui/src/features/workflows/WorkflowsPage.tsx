import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Add20Regular, Delete20Regular, Flow24Regular, History20Regular, Play20Regular } from "@fluentui/react-icons";
import { useState } from "react";

import type { DryRun } from "../../bindings/DryRun";
import type { Workflow } from "../../bindings/Workflow";
import type { WorkflowRun } from "../../bindings/WorkflowRun";
import { CommandError, commands } from "../../ipc/commands";
import { EmptyState } from "../../shared/EmptyState";
import { Loading } from "../../shared/Loading";
import { PageHeader } from "../../shared/PageHeader";
import { useCommand } from "../../shared/useCommand";
import { DryRunResult } from "./DryRunResult";
import { APPLY_TO, WorkflowEditor } from "./WorkflowEditor";

const useStyles = makeStyles({
  bar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, marginBottom: tokens.spacingVerticalM },
  count: { marginLeft: "auto", color: tokens.colorNeutralForeground3 },
  table: { tableLayout: "fixed" },
  // Recipients take what the others leave.
  name: { width: "20%" },
  appliesTo: { width: "17%" },
  fallback: { width: "12%" },
  // Widths of the content: each cell adds its padding.
  on: { width: "40px" },
  matches: { width: "64px", textAlign: "end", fontVariantNumeric: "tabular-nums" },
  // Dry run, History and Delete, small and subtle.
  actions: { width: "196px" },
  cell: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  // When and to whom wrap onto a second line before they are cut (the full text is the title):
  // "New, Updated or Existing Issues" does not fit one line of a narrow column.
  twoLines: {
    display: "-webkit-box",
    WebkitBoxOrient: "vertical",
    WebkitLineClamp: "2",
    overflow: "hidden",
    overflowWrap: "anywhere",
  },
  // The name is a button, which the cell's ellipsis does not reach: it ends its own text.
  nameLink: { display: "block", maxWidth: "100%", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", textAlign: "start" },
  muted: { color: tokens.colorNeutralForeground3 },
  gap: { marginBottom: tokens.spacingVerticalM },
  runs: { margin: 0, padding: 0, listStyle: "none", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

const applyLabel = (workflow: Workflow) => APPLY_TO.find((a) => a.value === workflow.definition.apply_to)?.label ?? "";

function when(workflow: Workflow): string {
  const schedule = workflow.definition.schedule;
  if (workflow.definition.apply_to !== "periodic" || !schedule) return applyLabel(workflow);
  const every = schedule.every;
  const rhythm =
    every.kind === "hours" ? `every ${every.hours} h` : every.kind === "day" ? `daily at ${every.at}` : `${every.day}s at ${every.at}`;
  return `Periodic, ${rhythm} (${schedule.time_zone})`;
}

/** How many open issues a workflow's conditions match now. */
function MatchesCell(props: { className: string; matched: number | null | undefined }) {
  const { matched } = props;
  const [text, title] =
    matched === undefined
      ? ["…", "Counting"]
      : matched === null
        ? ["—", "Could not count the issues it matches"]
        : [matched.toLocaleString(), `${matched.toLocaleString()} open issue${matched === 1 ? "" : "s"} match its conditions now`];
  return (
    <TableCell className={props.className} title={title} data-testid="workflow-matches">
      {text}
    </TableCell>
  );
}

export function WorkflowsPage(props: { workflowId: string | null }) {
  const styles = useStyles();
  const [revision, setRevision] = useState(0);
  const workflows = useCommand(commands.listWorkflows, revision);
  // Every workflow counted in one pass over the issues.
  const counts = useCommand(commands.workflowMatchCounts, revision);
  const bot = useCommand(commands.botState);
  const [editing, setEditing] = useState<Workflow | "new" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [toConfirm, setToConfirm] = useState<{ workflow: Workflow; message: string } | null>(null);
  const [dryRun, setDryRun] = useState<{ workflow: Workflow; result: DryRun | null } | null>(null);
  const [history, setHistory] = useState<{ workflow: Workflow; runs: WorkflowRun[] | null } | null>(null);
  const [closedLink, setClosedLink] = useState<string | null>(null);
  const botConnected = bot.state === "ready" && bot.data.state !== "not_connected";
  const list = workflows.state === "ready" ? workflows.data : [];
  // undefined while counting; null when the count failed.
  const matched = (workflow: Workflow) =>
    counts.state === "ready"
      ? (counts.data.find((c) => c.workflow_id === workflow.id)?.matched ?? null)
      : counts.state === "failed"
        ? null
        : undefined;
  const linked = props.workflowId === null ? null : (list.find((w) => w.id === props.workflowId) ?? null);

  // A link to a workflow opens it in the editor until it is closed.
  const editor = editing ?? (linked && closedLink !== linked.id ? linked : null);
  const closeEditor = () => {
    setEditing(null);
    if (linked) setClosedLink(linked.id);
  };

  const changed = (message: string | null) => {
    setNotice(message);
    setRevision((r) => r + 1);
  };
  // Turning on a workflow that would send many messages at once asks first, with the figures.
  const toggle = (workflow: Workflow, enabled: boolean, confirmed = false) => {
    setToConfirm(null);
    commands.setWorkflowEnabled(workflow.id, enabled, confirmed).then(
      (saved) => changed(saved.run ? `${saved.workflow.definition.name}: ${saved.run.summary}` : null),
      (error: Error) => {
        if (error instanceof CommandError && error.code === "confirmation_needed") setToConfirm({ workflow, message: error.message });
        else setProblem(error.message);
      },
    );
  };
  const remove = (workflow: Workflow) =>
    commands.deleteWorkflow(workflow.id).then(
      () => changed(`Deleted “${workflow.definition.name}”. Messages it already queued still go out.`),
      (error: Error) => setProblem(error.message),
    );
  const showDryRun = (workflow: Workflow) => {
    setDryRun({ workflow, result: null });
    commands.dryRunWorkflow(workflow.id, workflow.definition).then(
      (result) => setDryRun({ workflow, result }),
      (error: Error) => {
        setDryRun(null);
        setProblem(error.message);
      },
    );
  };
  const showHistory = (workflow: Workflow) => {
    setHistory({ workflow, runs: null });
    commands.workflowHistory(workflow.id).then(
      (runs) => setHistory({ workflow, runs }),
      (error: Error) => {
        setHistory(null);
        setProblem(error.message);
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Workflows send Teams messages by themselves: for new or updated issues, for the issues you already have, or on a schedule."
      />
      {props.workflowId !== null && workflows.state === "ready" && linked === null && (
        <MessageBar layout="multiline" intent="warning" data-testid="missing-workflow" className={styles.gap}>
          <MessageBarBody>
            <MessageBarTitle>Workflow “{props.workflowId}” is not here</MessageBarTitle>
            No workflow with that identifier exists on this computer. It may have been deleted.
          </MessageBarBody>
        </MessageBar>
      )}
      {notice && (
        <MessageBar intent="success" layout="multiline" className={styles.gap} data-testid="workflow-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {problem && (
        <MessageBar intent="error" layout="multiline" className={styles.gap}>
          <MessageBarBody>{problem}</MessageBarBody>
        </MessageBar>
      )}
      {toConfirm && (
        <Dialog open modalType="alert" onOpenChange={(_, data) => !data.open && setToConfirm(null)}>
          <DialogSurface data-testid="workflow-confirm">
            <DialogBody>
              <DialogTitle>Turn on “{toConfirm.workflow.definition.name}” and send now?</DialogTitle>
              <DialogContent>{toConfirm.message}</DialogContent>
              <DialogActions>
                <Button onClick={() => setToConfirm(null)}>Cancel</Button>
                <Button appearance="primary" onClick={() => toggle(toConfirm.workflow, true, true)} data-testid="workflow-confirm-send">
                  Turn on and send
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
      {workflows.state === "loading" && <Loading label="Loading workflows…" />}
      {workflows.state === "failed" && (
        <MessageBar intent="error">
          <MessageBarBody>{workflows.message}</MessageBarBody>
        </MessageBar>
      )}
      {workflows.state === "ready" && list.length === 0 && (
        <EmptyState
          icon={Flow24Regular}
          title="No workflows yet"
          testId="workflows-empty"
          action={
            <Button appearance="primary" icon={<Add20Regular />} onClick={() => setEditing("new")} data-testid="new-workflow">
              New workflow
            </Button>
          }
        >
          A workflow watches your issues and, when its conditions match, sends a Teams message to its recipients — or to its
          fallback recipients when a recipient cannot be reached. It applies to updated issues; new or updated ones; new,
          updated or existing ones; or sends a digest on a schedule. Try one with a dry run before it sends anything.
        </EmptyState>
      )}
      {list.length > 0 && (
        <>
          <div className={styles.bar}>
            <Button appearance="primary" icon={<Add20Regular />} onClick={() => setEditing("new")} data-testid="new-workflow">
              New workflow
            </Button>
            <Caption1 className={styles.count}>
              {list.length} workflow{list.length === 1 ? "" : "s"}, {list.filter((w) => w.definition.enabled).length} on
            </Caption1>
          </div>
          <Table className={styles.table} aria-label="Workflows" size="small" data-testid="workflows">
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={styles.name}>Name</TableHeaderCell>
                <TableHeaderCell className={styles.appliesTo}>Applies to</TableHeaderCell>
                <TableHeaderCell>Recipients</TableHeaderCell>
                <TableHeaderCell className={styles.fallback}>Fallback</TableHeaderCell>
                <TableHeaderCell className={styles.matches} title="How many open issues each workflow matches now">
                  Matches
                </TableHeaderCell>
                <TableHeaderCell className={styles.on}>On</TableHeaderCell>
                <TableHeaderCell className={styles.actions}>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((workflow) => {
                const recipients = workflow.definition.recipients.map((r) => r.label).join(", ");
                const fallback = workflow.definition.fallback.map((r) => r.label).join(", ");
                return (
                  <TableRow key={workflow.id} data-testid="workflow-row">
                    <TableCell className={styles.cell} title={workflow.definition.name}>
                      <Link className={styles.nameLink} onClick={() => setEditing(workflow)}>
                        {workflow.definition.name}
                      </Link>
                    </TableCell>
                    <TableCell title={when(workflow)}>
                      <div className={styles.twoLines}>
                        {when(workflow)}
                        {workflow.next_run_at && (
                          <Caption1 className={styles.muted}> · next {new Date(workflow.next_run_at).toLocaleString()}</Caption1>
                        )}
                      </div>
                    </TableCell>
                    <TableCell title={recipients}>
                      <div className={styles.twoLines}>{recipients}</div>
                    </TableCell>
                    <TableCell title={fallback}>
                      <div className={styles.twoLines}>{fallback}</div>
                    </TableCell>
                    <MatchesCell className={styles.matches} matched={matched(workflow)} />
                    <TableCell>
                      <Switch
                        checked={workflow.definition.enabled}
                        onChange={(_, d) => void toggle(workflow, d.checked)}
                        aria-label={`${workflow.definition.name} on`}
                        data-testid="workflow-enabled"
                      />
                    </TableCell>
                    <TableCell>
                      <Button size="small" appearance="subtle" icon={<Play20Regular />} onClick={() => showDryRun(workflow)}>
                        Dry run
                      </Button>
                      <Button size="small" appearance="subtle" icon={<History20Regular />} onClick={() => showHistory(workflow)} data-testid="workflow-history">
                        History
                      </Button>
                      <Button size="small" appearance="subtle" icon={<Delete20Regular />} aria-label={`Delete ${workflow.definition.name}`} onClick={() => void remove(workflow)} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </>
      )}
      {editor !== null && (
        <WorkflowEditor
          workflow={editor === "new" ? null : editor}
          botConnected={botConnected}
          onClose={closeEditor}
          onSaved={(message) => {
            closeEditor();
            changed(message);
          }}
        />
      )}
      {dryRun && (
        <Dialog open onOpenChange={(_, d) => !d.open && setDryRun(null)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>Dry run of “{dryRun.workflow.definition.name}”</DialogTitle>
              <DialogContent>{dryRun.result ? <DryRunResult result={dryRun.result} /> : <Spinner size="small" />}</DialogContent>
              <DialogActions>
                <Button appearance="primary" onClick={() => setDryRun(null)}>
                  Close
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
      {history && (
        <Dialog open onOpenChange={(_, d) => !d.open && setHistory(null)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>History of “{history.workflow.definition.name}”</DialogTitle>
              <DialogContent data-testid="workflow-runs">
                {history.runs === null && <Spinner size="small" />}
                {history.runs?.length === 0 && <Body1>It has not run yet: it acts after the next import (or at its next digest).</Body1>}
                <ul className={styles.runs}>
                  {history.runs?.map((run) => (
                    <li key={run.id}>
                      <Caption1 className={styles.muted}>
                        {new Date(run.started_at).toLocaleString()} · {run.trigger}
                      </Caption1>
                      <Body1 block>{run.summary}</Body1>
                    </li>
                  ))}
                </ul>
              </DialogContent>
              <DialogActions>
                <Button appearance="primary" onClick={() => setHistory(null)}>
                  Close
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </>
  );
}
