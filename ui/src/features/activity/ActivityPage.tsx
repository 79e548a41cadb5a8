import {
  Button,
  Caption1,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  ToggleButton,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwise20Regular, History24Regular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";

import type { Delivery } from "../../bindings/Delivery";
import type { HeldMessages } from "../../bindings/HeldMessages";
import type { QuietHold } from "../../bindings/QuietHold";
import { commands, onOutboxChanged } from "../../ipc/commands";
import { EmptyState } from "../../shared/EmptyState";
import { Loading } from "../../shared/Loading";
import { PageHeader } from "../../shared/PageHeader";
import { DeliveryStatusBadge, nextAttempt } from "./DeliveryStatusBadge";

const LIMIT = 500;

const useStyles = makeStyles({
  bar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, marginBottom: tokens.spacingVerticalM },
  count: { marginLeft: "auto", color: tokens.colorNeutralForeground3 },
  table: { tableLayout: "fixed" },
  when: { width: "130px" },
  issue: { width: "22%" },
  recipient: { width: "18%" },
  status: { width: "110px" },
  note: { color: tokens.colorNeutralForeground3, whiteSpace: "normal", overflowWrap: "anywhere" },
  problem: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalXS} 0`,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  reason: { color: tokens.colorNeutralForeground2, whiteSpace: "normal", overflowWrap: "anywhere" },
  cell: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
});

const PROBLEMS = new Set(["failed", "unconfirmed", "paused", "retrying", "held"]);

export function ActivityPage(props: { onOpenIssue: (issueId: string) => void }) {
  const styles = useStyles();
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [problemsOnly, setProblemsOnly] = useState(false);
  const [resending, setResending] = useState<string | null>(null);
  const [held, setHeld] = useState<HeldMessages | null>(null);
  const [quiet, setQuiet] = useState<QuietHold[]>([]);

  const load = useCallback(() => {
    commands.listDeliveries(LIMIT).then(
      (list) => {
        setDeliveries(list);
        setFailure(null);
      },
      (error: Error) => setFailure(error.message),
    );
    commands.heldMessages().then(setHeld, (error: Error) => setFailure(error.message));
    commands.quietHolds().then(setQuiet, (error: Error) => setFailure(error.message));
  }, []);

  const release = (send: boolean) =>
    commands.releaseHeldMessages(send).then(load, (error: Error) => setFailure(error.message));

  // Follows the outbox: on every change it reports, and every few seconds for the CLI's sends.
  useEffect(() => {
    load();
    const timer = setInterval(load, 5000);
    const unlisten = onOutboxChanged(load);
    return () => {
      clearInterval(timer);
      void unlisten.then((stop) => stop());
    };
  }, [load]);

  const resend = (delivery: Delivery) => {
    setResending(delivery.id);
    commands.resendDelivery(delivery.id).then(
      () => {
        setResending(null);
        load();
      },
      (error: Error) => {
        setResending(null);
        setFailure(error.message);
      },
    );
  };

  const shown = (deliveries ?? []).filter((d) => !problemsOnly || PROBLEMS.has(d.status));
  const problemCount = (deliveries ?? []).filter((d) => PROBLEMS.has(d.status)).length;
  return (
    <>
      <PageHeader
        title="Activity"
        description="Every message sent to Microsoft Teams, by hand or by a workflow, with its delivery status for each recipient."
      />
      {failure && (
        <MessageBar intent="error" style={{ marginBottom: 12 }}>
          <MessageBarBody>{failure}</MessageBarBody>
        </MessageBar>
      )}
      {held && (
        <MessageBar intent="warning" layout="multiline" style={{ marginBottom: 12 }} data-testid="held-messages">
          <MessageBarBody>
            <MessageBarTitle>
              {held.count === 1 ? "1 message is held" : `${held.count} messages are held`}
            </MessageBarTitle>
            {held.reason}
          </MessageBarBody>
          <MessageBarActions>
            <Button appearance="primary" size="small" onClick={() => void release(true)} data-testid="held-send">
              Send as the account connected now
            </Button>
            <Button size="small" onClick={() => void release(false)} data-testid="held-discard">
              Discard
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {quiet.length > 0 && (
        <MessageBar intent="info" layout="multiline" style={{ marginBottom: 12 }} data-testid="quiet-holds">
          <MessageBarBody>
            <MessageBarTitle>Quiet hours</MessageBarTitle>
            {quiet.map((hold) => (
              <div key={hold.workflow_id}>
                “{hold.workflow_name}”: {hold.findings === 1 ? "1 finding" : `${hold.findings} findings`} {hold.until},
                then one digest to each recipient.
              </div>
            ))}
          </MessageBarBody>
        </MessageBar>
      )}
      {deliveries === null ? (
        <Loading label="Loading the delivery log…" />
      ) : deliveries.length === 0 ? (
        <EmptyState icon={History24Regular} title="Nothing has been sent yet" testId="activity-empty">
          Each delivery will be listed here as sent (with a link to the message in Teams), retrying, or failed with the
          reason, and a failed one can be sent again. Send an issue from Active Issues with the Teams button.
        </EmptyState>
      ) : (
        <>
          <div className={styles.bar}>
            <ToggleButton checked={problemsOnly} onClick={() => setProblemsOnly((p) => !p)} size="small">
              Needs attention {problemCount}
            </ToggleButton>
            <Button appearance="subtle" size="small" icon={<ArrowClockwise20Regular />} onClick={load}>
              Refresh
            </Button>
            <Caption1 className={styles.count}>
              {deliveries.length >= LIMIT ? `The newest ${LIMIT} deliveries` : deliveries.length === 1 ? "1 delivery" : `${deliveries.length} deliveries`}
            </Caption1>
          </div>
          <Table className={styles.table} aria-label="Deliveries" size="small" data-testid="deliveries">
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={styles.when}>When</TableHeaderCell>
                <TableHeaderCell className={styles.issue}>Issue</TableHeaderCell>
                <TableHeaderCell className={styles.recipient}>Recipient</TableHeaderCell>
                <TableHeaderCell className={styles.status}>Status</TableHeaderCell>
                <TableHeaderCell>Result</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((d) => (
                <TableRow key={d.id} data-testid="delivery-row" data-status={d.status}>
                  <TableCell className={styles.muted}>
                    {new Date(d.sent_at ?? d.created_at).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" })}
                  </TableCell>
                  <TableCell className={styles.cell} title={d.issue_title}>
                    <Link onClick={() => props.onOpenIssue(d.issue_id)}>{d.issue_title}</Link>
                  </TableCell>
                  <TableCell
                    className={styles.cell}
                    title={[d.identity === "bot" ? `${d.label}, from ${d.sender}` : d.label, d.note].filter(Boolean).join(". ")}
                  >
                    {d.label}
                    {d.identity === "bot" && <Caption1 className={styles.muted}> · by the bot</Caption1>}
                    {/* Why it went there: an owner's copy, or a fallback for an owner or a failed recipient. */}
                    {d.note && (
                      <Caption1 block className={styles.note} data-testid="delivery-note">
                        {d.note}
                      </Caption1>
                    )}
                  </TableCell>
                  <TableCell>
                    <DeliveryStatusBadge delivery={d} />
                  </TableCell>
                  <TableCell className={styles.reason}>
                    {d.status === "sent" && d.web_url ? (
                      <span>
                        {d.action_label && d.action !== "posted" && <span className={styles.muted}>{d.action_label} · </span>}
                        <Link onClick={() => void commands.openMessage(d.id)}>Open in Teams</Link>
                      </span>
                    ) : d.status === "sent" ? (
                      <span className={styles.muted}>Delivered by {d.sender}</span>
                    ) : (
                      <div className={styles.problem}>
                        <span>
                          {d.problem?.message}
                          {nextAttempt(d) && ` (${nextAttempt(d)})`}
                        </span>
                        {(d.status === "failed" || d.status === "unconfirmed") && (
                          <Button size="small" disabled={resending === d.id} onClick={() => resend(d)} data-testid="resend">
                            Resend
                          </Button>
                        )}
                      </div>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </>
  );
}
