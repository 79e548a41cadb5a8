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
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  Switch,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";

import type { ApplyTo } from "../../bindings/ApplyTo";
import type { DryRun } from "../../bindings/DryRun";
import type { Every } from "../../bindings/Every";
import type { Identity } from "../../bindings/Identity";
import type { OnChange } from "../../bindings/OnChange";
import type { Severity } from "../../bindings/Severity";
import type { Weekday } from "../../bindings/Weekday";
import type { Workflow } from "../../bindings/Workflow";
import type { WorkflowDefinition } from "../../bindings/WorkflowDefinition";
import { CommandError, commands } from "../../ipc/commands";
import { SEVERITY_LABEL } from "../issues/severity";
import { DryRunResult } from "./DryRunResult";
import { MentionsField } from "../issues/send/MentionsField";
import { QuietHoursField } from "./QuietHoursField";
import { RecipientField } from "./RecipientField";

const useStyles = makeStyles({
  surface: { maxWidth: "1080px", width: "calc(100vw - 48px)" },
  columns: { display: "grid", gridTemplateColumns: "minmax(320px, 1fr) minmax(340px, 1fr)", gap: tokens.spacingHorizontalXXL },
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "flex-end" },
  grow: { flexGrow: 1 },
  muted: { color: tokens.colorNeutralForeground3 },
});

export const APPLY_TO: { value: ApplyTo; label: string; hint: string }[] = [
  { value: "updated_issues", label: "Updated Issues", hint: "When an import finds an issue's content changed." },
  { value: "new_or_updated_issues", label: "New or Updated Issues", hint: "When an import finds an issue first, or changed." },
  {
    value: "new_updated_or_existing_issues",
    label: "New, Updated or Existing Issues",
    hint: "Every matching issue there is now, then new or changed ones.",
  },
  { value: "periodic", label: "Periodic", hint: "One digest per recipient on a schedule, listing the matching issues." },
];

const WEEKDAYS: Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const SEVERITIES: Severity[] = ["critical", "high", "medium", "low", "info"];

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function emptyDefinition(): WorkflowDefinition {
  return {
    name: "",
    enabled: true,
    conditions: { min_severity: null, tools: [], rules: [], paths: [], text: "" },
    recipients: [],
    fallback: [],
    comment: "",
    apply_to: "new_or_updated_issues",
    schedule: null,
    identity: "user",
    on_change: "follow",
    announce_fixes: true,
    skip_acknowledged: false,
    quiet_hours: null,
    owners: { message: false, mention: false },
    mentions: [],
  };
}

const list = (text: string) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");

/** Creating or editing a workflow: conditions, recipients and fallback, when it acts, who sends. */
export function WorkflowEditor(props: {
  workflow: Workflow | null;
  botConnected: boolean;
  onClose: () => void;
  onSaved: (message: string | null) => void;
}) {
  const styles = useStyles();
  const [draft, setDraft] = useState<WorkflowDefinition>(props.workflow?.definition ?? emptyDefinition());
  const [lists, setLists] = useState(() => ({
    tools: draft.conditions.tools.join(", "),
    rules: draft.conditions.rules.join(", "),
    paths: draft.conditions.paths.join(", "),
  }));
  const [problem, setProblem] = useState<string | null>(null);
  const [toConfirm, setToConfirm] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [touched, setTouched] = useState(false);
  // The dry run belongs to the form as it was run; after any change it is not shown.
  const [dryRunOf, setDryRun] = useState<{
    of: string;
    run: { state: "running" } | { state: "done"; result: DryRun } | { state: "failed"; message: string };
  } | null>(null);
  const asBot = draft.identity === "bot";

  const periodic = draft.apply_to === "periodic";
  const definition: WorkflowDefinition = {
    ...draft,
    conditions: { ...draft.conditions, tools: list(lists.tools), rules: list(lists.rules), paths: list(lists.paths) },
    // The bot messages people and channels only.
    recipients: asBot ? draft.recipients.filter((r) => r.kind === "person" || r.kind === "channel") : draft.recipients,
    fallback: asBot ? draft.fallback.filter((r) => r.kind === "person" || r.kind === "channel") : draft.fallback,
    // A digest goes to its recipients as one card: owners and mentions are for per-finding messages.
    owners: periodic ? { message: false, mention: false } : draft.owners,
    mentions: periodic ? [] : asBot ? draft.mentions.filter((m) => m.kind === "person") : draft.mentions,
  };
  const missing = {
    name: definition.name.trim() === "" ? "Give the workflow a name." : undefined,
    recipients:
      definition.recipients.length === 0 && !definition.owners.message
        ? "Choose at least one recipient, or message the owners of each finding's file."
        : undefined,
    fallback: definition.fallback.length === 0 ? "Choose at least one fallback recipient." : undefined,
  };
  const complete = !missing.name && !missing.recipients && !missing.fallback;
  const formKey = JSON.stringify(definition);
  const dryRun = dryRunOf?.of === formKey ? dryRunOf.run : null;

  const update = (change: Partial<WorkflowDefinition>) => setDraft((d) => ({ ...d, ...change }));
  const setApplyTo = (apply_to: ApplyTo) =>
    update({
      apply_to,
      schedule: apply_to === "periodic" ? (draft.schedule ?? { every: { kind: "day", at: "09:00" }, time_zone: localTimeZone() }) : null,
      // A digest already has its own times.
      quiet_hours: apply_to === "periodic" ? null : draft.quiet_hours,
    });
  const setEvery = (every: Every) => draft.schedule && update({ schedule: { ...draft.schedule, every } });

  const save = (confirmed = false) => {
    setTouched(true);
    if (!complete) return;
    setSaving(true);
    setProblem(null);
    setToConfirm(null);
    commands.saveWorkflow(props.workflow?.id ?? null, definition, confirmed).then(
      (saved) => {
        setSaving(false);
        props.onSaved(saved.run ? `${saved.workflow.definition.name}: ${saved.run.summary}` : null);
      },
      (error: Error) => {
        setSaving(false);
        // Many messages at once: the person decides, with the figures in front of them.
        if (error instanceof CommandError && error.code === "confirmation_needed") setToConfirm(error.message);
        else setProblem(error.message);
      },
    );
  };

  const runDry = () => {
    setTouched(true);
    if (!complete) return;
    setDryRun({ of: formKey, run: { state: "running" } });
    commands.dryRunWorkflow(props.workflow?.id ?? null, definition).then(
      (result) => setDryRun({ of: formKey, run: { state: "done", result } }),
      (error: Error) => setDryRun({ of: formKey, run: { state: "failed", message: error.message } }),
    );
  };

  const schedule = draft.schedule;
  const every = schedule?.every;
  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && props.onClose()}>
      <DialogSurface className={styles.surface} data-testid="workflow-editor">
        <DialogBody>
          <DialogTitle>{props.workflow ? `Edit “${props.workflow.definition.name}”` : "New workflow"}</DialogTitle>
          <DialogContent>
            <div className={styles.columns}>
              <div className={styles.column}>
                <Field label="Name" required validationMessage={touched ? missing.name : undefined}>
                  <Input value={draft.name} onChange={(_, d) => update({ name: d.value })} placeholder="Critical issues to Security Operations" data-testid="workflow-name" />
                </Field>
                <Field label="Apply to" required>
                  <RadioGroup value={draft.apply_to} onChange={(_, d) => setApplyTo(d.value as ApplyTo)} data-testid="workflow-apply-to">
                    {APPLY_TO.map((option) => (
                      <Radio
                        key={option.value}
                        value={option.value}
                        label={
                          <>
                            <Body1>{option.label}</Body1>
                            <br />
                            <Caption1 className={styles.muted}>{option.hint}</Caption1>
                          </>
                        }
                        data-testid={`apply-${option.value}`}
                      />
                    ))}
                  </RadioGroup>
                </Field>
                {schedule && every && (
                  <div className={styles.row} data-testid="workflow-schedule">
                    <Field label="Every">
                      <Dropdown
                        value={every.kind === "hours" ? "Few hours" : every.kind === "day" ? "Day" : "Week"}
                        selectedOptions={[every.kind]}
                        onOptionSelect={(_, d) =>
                          setEvery(
                            d.optionValue === "hours"
                              ? { kind: "hours", hours: 6 }
                              : d.optionValue === "week"
                                ? { kind: "week", day: "monday", at: every.kind === "hours" ? "09:00" : every.at }
                                : { kind: "day", at: every.kind === "hours" ? "09:00" : every.at },
                          )
                        }
                      >
                        <Option value="hours">Few hours</Option>
                        <Option value="day">Day</Option>
                        <Option value="week">Week</Option>
                      </Dropdown>
                    </Field>
                    {every.kind === "hours" && (
                      <Field label="Hours">
                        <Input
                          type="number"
                          min={1}
                          max={168}
                          value={String(every.hours)}
                          onChange={(_, d) => setEvery({ kind: "hours", hours: Number(d.value) || 1 })}
                        />
                      </Field>
                    )}
                    {every.kind === "week" && (
                      <Field label="On">
                        <Dropdown
                          value={every.day[0]?.toUpperCase() + every.day.slice(1)}
                          selectedOptions={[every.day]}
                          onOptionSelect={(_, d) => setEvery({ ...every, day: d.optionValue as Weekday })}
                        >
                          {WEEKDAYS.map((day) => (
                            <Option key={day} value={day}>
                              {day[0]?.toUpperCase() + day.slice(1)}
                            </Option>
                          ))}
                        </Dropdown>
                      </Field>
                    )}
                    {every.kind !== "hours" && (
                      <Field label="At">
                        <Input type="time" value={every.at} onChange={(_, d) => setEvery({ ...every, at: d.value })} data-testid="workflow-at" />
                      </Field>
                    )}
                    <Field label="Time zone" className={styles.grow}>
                      <Input value={schedule.time_zone} onChange={(_, d) => update({ schedule: { ...schedule, time_zone: d.value } })} />
                    </Field>
                  </div>
                )}
                <Subtitle2 as="h3">Which issues</Subtitle2>
                <div className={styles.row}>
                  <Field label="Minimum severity">
                    <Dropdown
                      value={draft.conditions.min_severity ? `${SEVERITY_LABEL[draft.conditions.min_severity]} or worse` : "Any severity"}
                      selectedOptions={[draft.conditions.min_severity ?? "any"]}
                      onOptionSelect={(_, d) =>
                        update({ conditions: { ...draft.conditions, min_severity: d.optionValue === "any" ? null : (d.optionValue as Severity) } })
                      }
                      data-testid="workflow-severity"
                    >
                      <Option value="any">Any severity</Option>
                      {SEVERITIES.map((s) => (
                        <Option key={s} value={s} text={`${SEVERITY_LABEL[s]} or worse`}>
                          {`${SEVERITY_LABEL[s]} or worse`}
                        </Option>
                      ))}
                    </Dropdown>
                  </Field>
                  <Field label="Text contains" className={styles.grow}>
                    <Input value={draft.conditions.text} onChange={(_, d) => update({ conditions: { ...draft.conditions, text: d.value } })} />
                  </Field>
                </div>
                <Field label="Tools" hint="Comma-separated, such as Semgrep OSS, CodeQL. Empty: any tool.">
                  <Input value={lists.tools} onChange={(_, d) => setLists((l) => ({ ...l, tools: d.value }))} />
                </Field>
                <Field label="Rules" hint="Rule ids, comma-separated. Empty: any rule.">
                  <Input value={lists.rules} onChange={(_, d) => setLists((l) => ({ ...l, rules: d.value }))} />
                </Field>
                <Field label="Paths" hint="Patterns, comma-separated: * within a folder, ** across folders, such as src/**/*.py.">
                  <Input value={lists.paths} onChange={(_, d) => setLists((l) => ({ ...l, paths: d.value }))} />
                </Field>
                <Field label="Comment (optional)" hint="Shown on every message this workflow sends.">
                  <Textarea value={draft.comment} rows={2} resize="vertical" onChange={(_, d) => update({ comment: d.value })} />
                </Field>
                {draft.apply_to === "periodic" && (
                  <Switch
                    checked={draft.skip_acknowledged}
                    onChange={(_, d) => update({ skip_acknowledged: d.checked })}
                    label="Leave out findings someone already answered in Teams"
                    data-testid="workflow-skip-acknowledged"
                  />
                )}
                {draft.apply_to !== "periodic" && (
                  <>
                    <Field
                      label="When a finding changes"
                      hint="Following keeps one conversation per finding: a reply in the channel thread, the chat's card updated in place."
                    >
                      <RadioGroup
                        layout="horizontal"
                        value={draft.on_change}
                        onChange={(_, d) => update({ on_change: d.value as OnChange })}
                        data-testid="workflow-on-change"
                      >
                        <Radio value="follow" label="Follow the first message" />
                        <Radio value="new" label="Send a new message" />
                      </RadioGroup>
                    </Field>
                    <Switch
                      checked={draft.announce_fixes}
                      onChange={(_, d) => update({ announce_fixes: d.checked })}
                      label="Announce fixes where the finding was messaged about"
                      data-testid="workflow-announce-fixes"
                    />
                    <QuietHoursField
                      value={draft.quiet_hours}
                      onChange={(quiet_hours) => update({ quiet_hours })}
                      timeZone={localTimeZone()}
                    />
                  </>
                )}
                <div className={styles.row}>
                  {props.botConnected && (
                    <Field label="Send as">
                      <RadioGroup layout="horizontal" value={draft.identity} onChange={(_, d) => update({ identity: d.value as Identity })}>
                        <Radio value="user" label="You" />
                        <Radio value="bot" label="OX Security Alerts (bot)" />
                      </RadioGroup>
                    </Field>
                  )}
                  <Switch checked={draft.enabled} onChange={(_, d) => update({ enabled: d.checked })} label={draft.enabled ? "On" : "Off"} />
                </div>
              </div>
              <div className={styles.column}>
                <RecipientField
                  label="Recipients"
                  hint="Who gets the messages: channels, people or chats."
                  value={draft.recipients}
                  onChange={(recipients) => update({ recipients })}
                  botOnly={asBot}
                  error={touched ? missing.recipients : undefined}
                  testId="workflow-recipients"
                />
                {!periodic && (
                  <MentionsField
                    owners={draft.owners}
                    onOwners={(owners) => update({ owners })}
                    mentions={draft.mentions}
                    onMentions={(mentions) => update({ mentions })}
                    asBot={asBot}
                    fallbackHint="Owners that do not reach Teams send the message to the fallback recipients, with the reason."
                  />
                )}
                <RecipientField
                  label="Fallback recipients"
                  hint="Who gets a message instead when a recipient cannot be reached (gone, app not installed, channel deleted)."
                  value={draft.fallback}
                  onChange={(fallback) => update({ fallback })}
                  botOnly={asBot}
                  error={touched ? missing.fallback : undefined}
                  testId="workflow-fallback"
                />
              </div>
            </div>
            {problem && (
              <MessageBar intent="error" layout="multiline" data-testid="workflow-problem">
                <MessageBarBody>
                  <MessageBarTitle>The workflow was not saved</MessageBarTitle>
                  {problem}
                </MessageBarBody>
              </MessageBar>
            )}
            {toConfirm && (
              <MessageBar intent="warning" layout="multiline" data-testid="workflow-confirm">
                <MessageBarBody>
                  <MessageBarTitle>Send this many messages now?</MessageBarTitle>
                  {toConfirm}
                </MessageBarBody>
                <MessageBarActions>
                  <Button onClick={() => save(true)} disabled={saving} data-testid="workflow-confirm-send">
                    Save and send them
                  </Button>
                </MessageBarActions>
              </MessageBar>
            )}
            {dryRun?.state === "running" && <Spinner size="tiny" label="Looking at the current issues…" />}
            {dryRun?.state === "failed" && (
              <MessageBar intent="error">
                <MessageBarBody>{dryRun.message}</MessageBarBody>
              </MessageBar>
            )}
            {dryRun?.state === "done" && <DryRunResult result={dryRun.result} />}
          </DialogContent>
          <DialogActions>
            <Button onClick={runDry} disabled={dryRun?.state === "running"} data-testid="workflow-dry-run">
              Dry run
            </Button>
            <Button onClick={props.onClose}>Cancel</Button>
            <Button appearance="primary" onClick={() => save()} disabled={saving} data-testid="workflow-save">
              {saving ? "Saving…" : "Save"}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
