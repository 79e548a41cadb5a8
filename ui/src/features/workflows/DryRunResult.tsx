import { Body1, Caption1, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from "@fluentui/react-components";

import type { DryRun } from "../../bindings/DryRun";
import { SEVERITY_LABEL } from "../issues/severity";

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, maxHeight: "220px", overflowY: "auto" },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** What a workflow would send for the current issues; nothing was sent. */
export function DryRunResult(props: { result: DryRun }) {
  const styles = useStyles();
  const { result } = props;
  const noun = result.matched === 1 ? "issue matches" : "issues match";
  return (
    <MessageBar intent="info" layout="multiline" data-testid="dry-run-result">
      <MessageBarBody>
        <MessageBarTitle>
          Dry run: {result.matched} {noun} now. Nothing was sent.
        </MessageBarTitle>
        {result.digest && <Body1 block>{result.digest}</Body1>}
        {result.items.length > 0 && (
          <ul className={styles.list}>
            {result.items.map((item) => (
              <li key={item.issue_id}>
                <Body1>
                  {SEVERITY_LABEL[item.severity]} · {item.title}
                </Body1>{" "}
                <Caption1 className={styles.muted}>
                  →{" "}
                  {item.held_until
                    ? `held for quiet hours, until ${item.held_until}, then in one digest`
                    : item.recipients.length > 0
                      ? item.recipients.join(", ")
                      : "nobody new"}
                  {item.already_sent.length > 0 && ` (already sent to ${item.already_sent.join(", ")})`}
                  {item.mentions.length > 0 && `; @mentions ${item.mentions.join(", ")}`}
                </Caption1>
                {item.owners && (
                  <Caption1 block className={styles.muted} data-testid="dry-run-owners">
                    Owners{item.owners.path ? ` of ${item.owners.path}` : ""}:{" "}
                    {item.owners.reached.map((r) => `${r.owner} → ${r.recipient.label}`).join(", ") || "none reach Teams"}
                    {item.notes.map((n) => ` ${n}`).join("")}
                  </Caption1>
                )}
              </li>
            ))}
          </ul>
        )}
        {result.items.length < result.matched && result.items.length > 0 && (
          <Caption1 className={styles.muted}>The first {result.items.length} are listed.</Caption1>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}
