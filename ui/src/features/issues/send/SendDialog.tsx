import {
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Link,
  MessageBar,
  Radio,
  RadioGroup,
  MessageBarBody,
  Spinner,
  Subtitle2,
  Tag,
  TagGroup,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircle16Filled, ErrorCircle16Filled } from "@fluentui/react-icons";
import { Suspense, lazy, useEffect, useMemo, useState } from "react";

import type { BotState } from "../../../bindings/BotState";
import type { ConnectionState } from "../../../bindings/ConnectionState";
import type { Delivery } from "../../../bindings/Delivery";
import type { Identity } from "../../../bindings/Identity";
import type { Mention } from "../../../bindings/Mention";
import type { OwnerRouting } from "../../../bindings/OwnerRouting";
import type { Issue } from "../../../bindings/Issue";
import type { Recipient } from "../../../bindings/Recipient";
import type { SendPreview } from "../../../bindings/SendPreview";
import { commands } from "../../../ipc/commands";
import { DeliveryStatusBadge, isSettled, nextAttempt } from "../../activity/DeliveryStatusBadge";
import { SEVERITY_LABEL } from "../severity";
import { OwnersSummary } from "../../owners/OwnersSummary";
import { MentionLine } from "./MentionLine";
import { MentionsField } from "./MentionsField";
import { RecipientPicker } from "./RecipientPicker";

// Microsoft's card renderer and Markdown load with the first preview, not with the window.
const CardPreview = lazy(() => import("./CardPreview").then((m) => ({ default: m.CardPreview })));

const COMMENT_LIMIT = 4000;

const useStyles = makeStyles({
  surface: { maxWidth: "1040px", width: "calc(100vw - 48px)" },
  about: {
    margin: `0 0 ${tokens.spacingVerticalL}`,
    color: tokens.colorNeutralForeground2,
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
  },
  columns: { display: "grid", gridTemplateColumns: "minmax(320px, 1fr) minmax(340px, 1fr)", gap: tokens.spacingHorizontalXXL },
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  chosen: { minHeight: "32px", flexWrap: "wrap" },
  checks: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS, margin: 0, padding: 0, listStyle: "none" },
  check: { display: "flex", alignItems: "flex-start", gap: tokens.spacingHorizontalXS },
  ok: { color: tokens.colorPaletteGreenForeground1, flexShrink: 0, marginTop: "2px" },
  bad: { color: tokens.colorPaletteRedForeground1, flexShrink: 0, marginTop: "2px" },
  warn: { color: tokens.colorPaletteMarigoldForeground2, flexShrink: 0, marginTop: "2px" },
  muted: { color: tokens.colorNeutralForeground3 },
  results: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, margin: 0, padding: 0, listStyle: "none" },
  result: {
    display: "grid",
    gridTemplateColumns: "minmax(200px, 1fr) auto",
    gap: tokens.spacingHorizontalM,
    alignItems: "center",
    padding: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  detail: { gridColumn: "1 / 3", color: tokens.colorNeutralForeground2 },
});

/** Who can send: the signed-in person and, once connected, the organisation's bot. */
function useSenders(): { user: string | null; bot: string | null; loaded: boolean } {
  const [known, setKnown] = useState<{ user: ConnectionState | null; bot: BotState | null; loaded: boolean }>({
    user: null,
    bot: null,
    loaded: false,
  });
  useEffect(() => {
    let current = true;
    void Promise.all([
      commands.connectionState().catch(() => null),
      commands.botState().catch(() => null),
    ]).then(([user, bot]) => current && setKnown({ user, bot, loaded: true }));
    return () => {
      current = false;
    };
  }, []);
  const user = known.user && known.user.state !== "not_connected" ? known.user.account.name : null;
  const bot = known.bot && known.bot.state !== "not_connected" ? known.bot.bot.app_name : null;
  return { user, bot, loaded: known.loaded };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** "Send message to Teams": pick recipients, add a comment, check the exact card, send. */
export function SendDialog(props: { issue: Issue; onClose: () => void; onOpenActivity: () => void }) {
  const styles = useStyles();
  const { issue } = props;
  const [chosen, setChosen] = useState<Recipient[]>([]);
  const [comment, setComment] = useState("");
  const [asGroup, setAsGroup] = useState(false);
  const [owners, setOwners] = useState<OwnerRouting>({ message: false, mention: false });
  const [mentions, setMentions] = useState<Mention[]>([]);
  const [checked, setChecked] = useState<{ of: unknown; preview: SendPreview | null; failure: string | null }>({
    of: null,
    preview: null,
    failure: null,
  });
  const [sending, setSending] = useState(false);
  const [sendFailure, setSendFailure] = useState<string | null>(null);
  const [messageId, setMessageId] = useState<string | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const senders = useSenders();
  const [pickedIdentity, setIdentity] = useState<Identity | null>(null);
  // As you by default; as the bot when only the bot is connected.
  const identity: Identity = pickedIdentity ?? (senders.user === null && senders.bot !== null ? "bot" : "user");
  const asBot = identity === "bot";
  // The bot messages people and channels only, one chat each.
  const sendable = asBot ? chosen.filter((r) => r.kind === "person" || r.kind === "channel") : chosen;

  const people = sendable.filter((r) => r.kind === "person").length;
  const request = useMemo(
    () => ({
      issue_id: issue.id,
      recipients: sendable,
      comment,
      identity,
      as_group: asGroup && !asBot,
      owners,
      mentions: asBot ? mentions.filter((m) => m.kind === "person") : mentions,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [issue.id, chosen, asGroup, comment, identity, owners, mentions],
  );

  // The pre-send check follows the choices a moment after the last change.
  useEffect(() => {
    if (messageId !== null) return;
    let current = true;
    const timer = setTimeout(() => {
      commands.previewSend(request).then(
        (preview) => current && setChecked({ of: request, preview, failure: null }),
        (error: Error) => current && setChecked((now) => ({ of: request, preview: now.preview, failure: error.message })),
      );
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [request, messageId]);

  // After SEND, each recipient's result as the outbox works through them.
  useEffect(() => {
    if (messageId === null) return;
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () =>
      commands.messageDeliveries(messageId).then(
        (list) => {
          if (!current) return;
          setDeliveries(list);
          if (!list.every(isSettled)) timer = setTimeout(poll, 600);
        },
        () => current && (timer = setTimeout(poll, 2000)),
      );
    void poll();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [messageId]);

  const toggle = (recipient: Recipient) =>
    setChosen((list) =>
      list.some((r) => r.key === recipient.key) ? list.filter((r) => r.key !== recipient.key) : [...list, recipient],
    );

  const { preview, failure: previewFailure } = checked;
  const checking = checked.of !== request;
  const problems = preview?.recipients.filter((r) => r.problem !== null) ?? [];
  const blocking = preview?.blocking ?? [];
  const places = preview?.recipients.length ?? sendable.length;
  const canSend = !sending && !checking && preview !== null && blocking.length === 0 && places > 0;
  // What Teams shows above the card in the first place that mentions anyone.
  const mentioning = preview?.recipients.find((r) => r.mentions.length > 0) ?? null;

  const send = () => {
    setSending(true);
    setSendFailure(null);
    commands.sendMessage(request).then(
      (queued) => {
        setDeliveries(queued.deliveries);
        setMessageId(queued.message_id);
        setSending(false);
      },
      (error: Error) => {
        setSendFailure(error.message);
        setSending(false);
      },
    );
  };

  const about = `${SEVERITY_LABEL[issue.severity]} · ${issue.title}`;
  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && props.onClose()}>
      <DialogSurface className={styles.surface} data-testid="send-dialog">
        <DialogBody>
          <DialogTitle>Send message to Teams</DialogTitle>
          <DialogContent>
            <Body1 as="p" className={styles.about} title={about} data-testid="send-about">
              {about}
            </Body1>
            {messageId === null ? (
              <div className={styles.columns}>
                <div className={styles.column}>
                  {senders.bot !== null && (
                    <Field label="Send as">
                      <RadioGroup
                        layout="horizontal"
                        value={identity}
                        onChange={(_, data) => setIdentity(data.value as Identity)}
                        data-testid="send-as"
                      >
                        <Radio value="user" label={senders.user ? `You (${senders.user})` : "You (not connected)"} disabled={senders.user === null} />
                        <Radio value="bot" label={`${senders.bot} (bot)`} data-testid="send-as-bot" />
                      </RadioGroup>
                    </Field>
                  )}
                  <Subtitle2>Recipients</Subtitle2>
                  <TagGroup
                    className={styles.chosen}
                    aria-label="Chosen recipients"
                    onDismiss={(_, data) => setChosen((list) => list.filter((r) => r.key !== data.value))}
                    data-testid="chosen-recipients"
                  >
                    {chosen.length === 0 && (
                      <Caption1 className={styles.muted}>
                        {owners.message ? "The owners of the finding's file; add others below." : "Nobody yet: choose below."}
                      </Caption1>
                    )}
                    {sendable.map((r) => (
                      <Tag key={r.key} value={r.key} dismissible dismissIcon={{ "aria-label": `Remove ${r.label}` }} size="small">
                        {r.label}
                      </Tag>
                    ))}
                  </TagGroup>
                  <RecipientPicker chosen={sendable} onToggle={toggle} kinds={asBot ? ["channels", "people"] : undefined} />
                  {asBot && (
                    <Caption1 className={styles.muted}>
                      The bot messages each person in its own chat with them, and starts a new thread in each channel.
                    </Caption1>
                  )}
                  {!asBot && people >= 2 && (
                    <Checkbox
                      checked={asGroup}
                      onChange={(_, data) => setAsGroup(data.checked === true)}
                      label={`Send to the ${people} people as one new group chat (instead of one chat each)`}
                    />
                  )}
                  <MentionsField
                    owners={owners}
                    onOwners={setOwners}
                    mentions={mentions}
                    onMentions={setMentions}
                    asBot={asBot}
                    fallbackHint="Owners that do not reach Teams are listed in the check."
                  />
                  <Field
                    label="Comment (optional)"
                    hint={`Shown on the card above the issue's details. ${comment.length} / ${COMMENT_LIMIT}`}
                  >
                    <Textarea
                      value={comment}
                      maxLength={COMMENT_LIMIT}
                      resize="vertical"
                      rows={3}
                      onChange={(_, data) => setComment(data.value)}
                      placeholder="What should they do about it?"
                      data-testid="send-comment"
                    />
                  </Field>
                </div>
                <div className={styles.column}>
                  <Subtitle2>Preview and check</Subtitle2>
                  {mentioning && <MentionLine place={mentioning.label} mentions={mentioning.mentions} />}
                  {preview && (
                    <Suspense fallback={<Spinner size="small" label="Drawing the card as Teams will…" />}>
                      <CardPreview card={preview.composition.card} />
                    </Suspense>
                  )}
                  {previewFailure && (
                    <MessageBar intent="error">
                      <MessageBarBody>{previewFailure}</MessageBarBody>
                    </MessageBar>
                  )}
                  {preview && (
                    <ul className={styles.checks} data-testid="send-checks">
                      <li className={styles.check}>
                        <CheckmarkCircle16Filled className={styles.ok} />
                        <Caption1>
                          Adaptive Card {preview.composition.card_version}, {kb(preview.composition.size_bytes)} of the{" "}
                          {kb(preview.composition.limit_bytes)} Teams allows.
                        </Caption1>
                      </li>
                      {preview.composition.trimmed.map((t) => (
                        <li key={t} className={styles.check}>
                          <ErrorCircle16Filled className={styles.bad} />
                          <Caption1>{t}</Caption1>
                        </li>
                      ))}
                      {preview.recipients.map((r) => (
                        <li key={r.key} className={styles.check}>
                          {r.problem ? <ErrorCircle16Filled className={styles.bad} /> : <CheckmarkCircle16Filled className={styles.ok} />}
                          <Caption1>
                            {r.problem ? r.problem.message : `${r.label} can be reached.`}
                            {r.follows && ` ${r.follows}`}
                            {r.note && ` ${r.note}`}
                            {r.mentions.length > 0 && ` It @mentions ${r.mentions.join(", ")}.`}
                          </Caption1>
                        </li>
                      ))}
                      {preview.recipients.flatMap((r) =>
                        r.mention_warnings.map((w) => (
                          <li key={`${r.key}-${w}`} className={styles.check} data-testid="mention-warning">
                            <ErrorCircle16Filled className={styles.warn} />
                            <Caption1>{w}</Caption1>
                          </li>
                        )),
                      )}
                      {blocking.map((b) => (
                        <li key={b} className={styles.check}>
                          <ErrorCircle16Filled className={styles.bad} />
                          <Caption1>{b}</Caption1>
                        </li>
                      ))}
                    </ul>
                  )}
                  {preview?.owners && (
                    <div data-testid="send-owners">
                      <Caption1>Owners{preview.owners.path ? ` of ${preview.owners.path}` : ""}:</Caption1>
                      <OwnersSummary owners={preview.owners} />
                    </div>
                  )}
                  {checking && <Spinner size="tiny" label="Checking…" labelPosition="after" />}
                  {problems.length > 0 && (
                    <Caption1 className={styles.muted}>
                      Recipients with a problem are still tried when you send; each gets its own result.
                    </Caption1>
                  )}
                </div>
              </div>
            ) : (
              <ul className={styles.results} data-testid="send-results">
                {deliveries.map((d) => (
                  <li key={d.id} className={styles.result} data-testid="send-result">
                    <Body1>{d.label}</Body1>
                    <DeliveryStatusBadge delivery={d} />
                    {d.note && <Caption1 className={styles.detail}>{d.note}</Caption1>}
                    {d.status === "sent" && d.web_url && (
                      <Caption1 className={styles.detail}>
                        <Link onClick={() => void commands.openMessage(d.id)}>Open the message in Teams</Link>
                      </Caption1>
                    )}
                    {d.status === "sent" && !d.web_url && (
                      <Caption1 className={styles.detail}>Delivered by {d.sender}.</Caption1>
                    )}
                    {d.status !== "sent" && d.problem && (
                      <Caption1 className={styles.detail}>
                        {d.problem.message}
                        {nextAttempt(d) && ` (${nextAttempt(d)})`}
                      </Caption1>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {sendFailure && (
              <MessageBar intent="error">
                <MessageBarBody>{sendFailure}</MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            {messageId === null ? (
              <>
                <Button onClick={props.onClose}>Cancel</Button>
                <Button appearance="primary" disabled={!canSend} onClick={send} data-testid="send-button">
                  {sending ? "Sending…" : places > 1 ? `Send to ${places}` : "Send"}
                </Button>
              </>
            ) : (
              <>
                <Button onClick={props.onOpenActivity}>Open Activity</Button>
                <Button appearance="primary" onClick={props.onClose} data-testid="send-done">
                  {deliveries.every(isSettled) ? "Done" : "Close (sending continues)"}
                </Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
