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
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";

import type { OwnerEntry } from "../../bindings/OwnerEntry";
import type { Person } from "../../bindings/Person";
import type { Recipient } from "../../bindings/Recipient";
import { commands } from "../../ipc/commands";
import { RecipientPicker } from "../issues/send/RecipientPicker";

const useStyles = makeStyles({
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground3 },
  chosen: { fontWeight: tokens.fontWeightSemibold },
});

/** Maps a GitHub user or team to one Teams person or channel: suggestions from the directory
 * by name first, then the usual pickers. */
export function MapOwnerDialog(props: { owner: OwnerEntry; onMap: (recipient: Recipient) => void; onClose: () => void }) {
  const styles = useStyles();
  const [chosen, setChosen] = useState<Recipient | null>(props.owner.mapped ? props.owner.recipient : null);
  const [suggestions, setSuggestions] = useState<Person[] | "loading" | string>("loading");

  useEffect(() => {
    let current = true;
    commands.ownerSuggestions(props.owner.owner).then(
      (people) => current && setSuggestions(people),
      (e: Error) => current && setSuggestions(e.message),
    );
    return () => {
      current = false;
    };
  }, [props.owner.owner]);

  const pick = (recipient: Recipient) => setChosen((now) => (now?.key === recipient.key ? null : recipient));
  return (
    <Dialog open onOpenChange={(_, data) => !data.open && props.onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>Where should {props.owner.owner} be told?</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>Messages for {props.owner.owner} go to the one person or channel you choose; people are also @mentioned in channel posts when a workflow asks for it.</Body1>
            <Subtitle2 as="h3">Suggested from the directory</Subtitle2>
            {suggestions === "loading" && <Spinner size="tiny" label="Searching the directory…" />}
            {typeof suggestions === "string" && suggestions !== "loading" && <Caption1 className={styles.muted}>{suggestions}</Caption1>}
            {Array.isArray(suggestions) && suggestions.length === 0 && (
              <Caption1 className={styles.muted}>Nobody in the directory has a similar name: choose below.</Caption1>
            )}
            {Array.isArray(suggestions) && suggestions.length > 0 && (
              <RadioGroup
                value={chosen?.key ?? ""}
                onChange={(_, data) => {
                  const person = suggestions.find((p) => p.recipient.key === data.value);
                  if (person) setChosen(person.recipient);
                }}
                aria-label="Suggestions"
              >
                {suggestions.slice(0, 5).map((person) => (
                  <Radio
                    key={person.id}
                    value={person.recipient.key}
                    label={`${person.name} · ${person.mail}${person.job_title ? ` · ${person.job_title}` : ""}`}
                    data-testid="owner-suggestion"
                  />
                ))}
              </RadioGroup>
            )}
            <Subtitle2 as="h3">Or choose a person or channel</Subtitle2>
            <RecipientPicker chosen={chosen ? [chosen] : []} onToggle={pick} kinds={["people", "channels"]} />
            <Body1>
              {chosen ? (
                <>
                  {props.owner.owner} → <span className={styles.chosen} data-testid="owner-chosen">{chosen.label}</span>
                </>
              ) : (
                <span className={styles.muted}>Nobody chosen yet.</span>
              )}
            </Body1>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={props.onClose}>
              Cancel
            </Button>
            <Button appearance="primary" disabled={chosen === null} onClick={() => chosen && props.onMap(chosen)} data-testid="owner-save">
              Save mapping
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
