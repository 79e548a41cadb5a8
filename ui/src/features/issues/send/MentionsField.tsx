import { Button, Caption1, Checkbox, Field, Tag, TagGroup, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";

import type { Mention } from "../../../bindings/Mention";
import type { OwnerRouting } from "../../../bindings/OwnerRouting";
import type { Recipient } from "../../../bindings/Recipient";
import { RecipientPicker } from "./RecipientPicker";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
  muted: { color: tokens.colorNeutralForeground3 },
  chosen: { minHeight: "24px", flexWrap: "wrap" },
});

function keyOf(mention: Mention): string {
  return mention.kind === "person" ? `person:${mention.user_id}` : mention.kind;
}

/** The owners of the finding's file (messaged, @mentioned) and who else channel posts
 * @mention. Shared by the Send dialog and the workflow editor. */
export function MentionsField(props: {
  owners: OwnerRouting;
  onOwners: (owners: OwnerRouting) => void;
  mentions: Mention[];
  onMentions: (mentions: Mention[]) => void;
  asBot: boolean;
  /** What "the owners" are said to get when they cannot be reached. */
  fallbackHint: string;
}) {
  const styles = useStyles();
  const [picking, setPicking] = useState(false);
  const has = (kind: "channel" | "team") => props.mentions.some((m) => m.kind === kind);
  const flip = (kind: "channel" | "team", on: boolean) =>
    props.onMentions(on ? [...props.mentions, { kind }] : props.mentions.filter((m) => m.kind !== kind));
  const people = props.mentions.filter((m) => m.kind === "person");
  const asRecipients: Recipient[] = people.map((m) =>
    m.kind === "person" ? { kind: "person", user_id: m.user_id, name: m.name, mail: "", key: `person:${m.user_id}`, label: m.name } : (null as never),
  );
  const togglePerson = (recipient: Recipient) => {
    if (recipient.kind !== "person") return;
    const key = `person:${recipient.user_id}`;
    props.onMentions(
      props.mentions.some((m) => keyOf(m) === key)
        ? props.mentions.filter((m) => keyOf(m) !== key)
        : [...props.mentions, { kind: "person", user_id: recipient.user_id, name: recipient.name || recipient.mail }],
    );
  };
  return (
    <div className={styles.root} data-testid="mentions-field">
      <Field label="Owners of the finding's file" hint={`From CODEOWNERS (see Owners). ${props.fallbackHint}`}>
        <div className={styles.row}>
          <Checkbox
            label="Message the owners"
            checked={props.owners.message}
            onChange={(_, data) => props.onOwners({ ...props.owners, message: data.checked === true })}
            data-testid="owners-message"
          />
          <Checkbox
            label="@mention the owners in channel posts"
            checked={props.owners.mention}
            onChange={(_, data) => props.onOwners({ ...props.owners, mention: data.checked === true })}
            data-testid="owners-mention"
          />
        </div>
      </Field>
      <Field label="Also @mention" hint="Mentions notify people in a busy channel; a one-on-one chat notifies its person anyway.">
        <div className={styles.row}>
          <Checkbox
            label="@channel"
            checked={has("channel")}
            disabled={props.asBot}
            onChange={(_, data) => flip("channel", data.checked === true)}
            data-testid="mention-channel"
          />
          <Checkbox
            label="@team"
            checked={has("team")}
            disabled={props.asBot}
            onChange={(_, data) => flip("team", data.checked === true)}
            data-testid="mention-team"
          />
        </div>
      </Field>
      {props.asBot && <Caption1 className={styles.muted}>The bot can @mention people, not a whole channel or team.</Caption1>}
      <TagGroup
        className={styles.chosen}
        aria-label="People to @mention"
        onDismiss={(_, data) => props.onMentions(props.mentions.filter((m) => keyOf(m) !== data.value))}
        data-testid="mention-people"
      >
        {people.length === 0 && <Caption1 className={styles.muted}>No one else is @mentioned.</Caption1>}
        {people.map((m) => (
          <Tag key={keyOf(m)} value={keyOf(m)} dismissible size="small" dismissIcon={{ "aria-label": `Do not mention ${m.kind === "person" ? m.name : ""}` }}>
            @{m.kind === "person" ? m.name : ""}
          </Tag>
        ))}
      </TagGroup>
      {picking ? (
        <RecipientPicker chosen={asRecipients} onToggle={togglePerson} kinds={["people"]} />
      ) : (
        <div>
          <Button size="small" onClick={() => setPicking(true)} data-testid="mention-someone">
            @mention someone…
          </Button>
        </div>
      )}
    </div>
  );
}
