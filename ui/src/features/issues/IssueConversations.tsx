import { Badge, Body1, Button, Caption1, Link, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowSync16Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";

import type { Answer } from "../../bindings/Answer";
import type { Conversation } from "../../bindings/Conversation";
import type { ConversationStep } from "../../bindings/ConversationStep";
import type { DeliveryStatus } from "../../bindings/DeliveryStatus";
import { commands, onOutboxChanged } from "../../ipc/commands";
import { formatTime } from "./severity";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyle: "none" },
  place: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  placeHead: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  placeName: { flexGrow: 1, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", fontWeight: tokens.fontWeightSemibold },
  steps: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, margin: 0, padding: 0, listStyle: "none" },
  step: {
    display: "flex",
    flexDirection: "column",
    paddingLeft: tokens.spacingHorizontalS,
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorNeutralStroke2}`,
  },
  stepHead: { display: "flex", alignItems: "baseline", gap: tokens.spacingHorizontalS },
  summary: { overflowWrap: "anywhere", color: tokens.colorNeutralForeground2 },
  answer: { overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground3 },
  problem: { color: tokens.colorPaletteRedForeground1, overflowWrap: "anywhere" },
  open: { whiteSpace: "nowrap", flexShrink: 0 },
  heading: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
});

const STATUS_COLOR: Record<DeliveryStatus, "success" | "warning" | "danger" | "informative" | "subtle"> = {
  sent: "success",
  queued: "informative",
  sending: "informative",
  retrying: "warning",
  paused: "warning",
  failed: "danger",
  unconfirmed: "warning",
  held: "warning",
};

/** A finding's conversations, kept current as the outbox works and answers come back. */
function useConversations(issueId: string, version: string): Conversation[] | null {
  const [loaded, setLoaded] = useState<{ of: string; conversations: Conversation[] } | null>(null);
  const key = `${issueId}/${version}`;
  useEffect(() => {
    let current = true;
    const load = () =>
      commands.issueConversations(issueId).then(
        (conversations) => current && setLoaded({ of: key, conversations }),
        () => undefined,
      );
    void load();
    const timer = setInterval(load, 5000);
    const unlisten = onOutboxChanged(() => void load());
    return () => {
      current = false;
      clearInterval(timer);
      void unlisten.then((stop) => stop());
    };
  }, [issueId, key]);
  return loaded?.of === key ? loaded.conversations : null;
}

/** "👍 Adele Vance", "Adele Vance replied: on it". */
export function answerText(answer: Answer): string {
  return answer.kind === "reaction" ? `${answer.content} ${answer.person}` : `${answer.person} replied: ${answer.content}`;
}

function Step(props: { step: ConversationStep }) {
  const styles = useStyles();
  const { step } = props;
  return (
    <li className={styles.step} data-testid="conversation-step">
      <span className={styles.stepHead}>
        <Body1>{step.what}</Body1>
        <Caption1 className={styles.muted}>
          rev {step.revision} · {formatTime(step.at)}
        </Caption1>
        {step.status !== "sent" && (
          <Badge size="small" appearance="tint" color={STATUS_COLOR[step.status]}>
            {step.status}
          </Badge>
        )}
      </span>
      <Caption1 className={styles.summary}>{step.summary}</Caption1>
      {step.problem && <Caption1 className={styles.problem}>{step.problem}</Caption1>}
    </li>
  );
}

/**
 * Per place: the first message about the finding, the replies and updates that followed it,
 * and what people answered in Teams.
 */
export function IssueConversations(props: { issueId: string; version: string }) {
  const styles = useStyles();
  const [checked, setChecked] = useState<{ busy: boolean; said: string | null; round: number }>({ busy: false, said: null, round: 0 });
  const conversations = useConversations(props.issueId, `${props.version}/${checked.round}`);
  if (conversations === null) return null;
  if (conversations.length === 0) return <Caption1 className={styles.muted}>Not sent to Teams yet.</Caption1>;
  const check = () => {
    setChecked((c) => ({ ...c, busy: true, said: null }));
    commands.readAnswers().then(
      (report) =>
        setChecked((c) => ({
          busy: false,
          round: c.round + 1,
          said:
            (report.new === 0 ? "No new answers." : `${report.new} new answer${report.new === 1 ? "" : "s"}.`) +
            (report.unreadable_threads > 0
              ? " Channel threads are not read without the optional ChannelMessage.Read.All permission (Connectors › Permissions)."
              : ""),
        })),
      (error: { message?: string }) => setChecked((c) => ({ ...c, busy: false, said: error.message ?? "Teams could not be read." })),
    );
  };
  return (
    <section aria-label="In Teams">
      <div className={styles.heading}>
        <Subtitle2 as="h3">In Teams</Subtitle2>
        <Button size="small" appearance="subtle" icon={<ArrowSync16Regular />} disabled={checked.busy} onClick={check} data-testid="check-answers">
          Check for answers
        </Button>
      </div>
      {checked.said && (
        <Caption1 className={styles.muted} aria-live="polite" data-testid="answers-checked">
          {checked.said}
        </Caption1>
      )}
      <ul className={styles.list} data-testid="issue-conversations">
        {conversations.map((conversation) => {
          const first = conversation.steps.find((s) => s.status === "sent");
          return (
            <li key={`${conversation.recipient_key}/${conversation.identity}`} className={styles.place} data-testid="conversation">
              <span className={styles.placeHead}>
                <span className={styles.placeName} title={conversation.place}>
                  {conversation.place}
                </span>
                {conversation.identity === "bot" && (
                  <Badge size="small" appearance="outline">
                    bot
                  </Badge>
                )}
                {first && conversation.web_url && !conversation.gone && (
                  <Link className={styles.open} onClick={() => void commands.openMessage(first.delivery_id)}>
                    Open in Teams
                  </Link>
                )}
              </span>
              {conversation.gone && (
                <Caption1 className={styles.muted}>The first message was deleted in Teams; the next one starts a new conversation.</Caption1>
              )}
              <ol className={styles.steps}>
                {conversation.steps.map((step) => (
                  <Step key={step.delivery_id} step={step} />
                ))}
              </ol>
              {conversation.answers.map((answer) => (
                <Caption1 key={answer.answer_id} className={styles.answer} data-testid="conversation-answer">
                  {answerText(answer)} · {formatTime(answer.at)}
                </Caption1>
              ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
