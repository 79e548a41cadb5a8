import { Caption1, Field, Tag, TagGroup, makeStyles, tokens } from "@fluentui/react-components";

import type { Recipient } from "../../bindings/Recipient";
import { RecipientPicker } from "../issues/send/RecipientPicker";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  chosen: { minHeight: "28px", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** A required list of recipients: the chosen ones as tags, and the picker to add more. */
export function RecipientField(props: {
  label: string;
  hint: string;
  value: Recipient[];
  onChange: (value: Recipient[]) => void;
  botOnly: boolean;
  error?: string;
  testId: string;
}) {
  const styles = useStyles();
  const toggle = (recipient: Recipient) =>
    props.onChange(
      props.value.some((r) => r.key === recipient.key)
        ? props.value.filter((r) => r.key !== recipient.key)
        : [...props.value, recipient],
    );
  // The field's required mark and message belong to the chosen list, not to the picker's
  // checkboxes and dropdowns.
  return (
    <div className={styles.root} data-testid={props.testId}>
      <Field label={props.label} hint={props.hint} required validationMessage={props.error}>
        <TagGroup
          className={styles.chosen}
          aria-label={props.label}
          onDismiss={(_, data) => props.onChange(props.value.filter((r) => r.key !== data.value))}
          data-testid={`${props.testId}-chosen`}
        >
          {props.value.length === 0 && <Caption1 className={styles.muted}>Nobody yet: choose below.</Caption1>}
          {props.value.map((r) => (
            <Tag key={r.key} value={r.key} dismissible dismissIcon={{ "aria-label": `Remove ${r.label}` }} size="small">
              {r.label}
            </Tag>
          ))}
        </TagGroup>
      </Field>
      <RecipientPicker chosen={props.value} onToggle={toggle} kinds={props.botOnly ? ["channels", "people"] : undefined} />
    </div>
  );
}
