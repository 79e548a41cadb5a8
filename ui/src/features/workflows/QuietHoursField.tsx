import { Caption1, Dropdown, Field, Input, Option, Switch, ToggleButton, makeStyles, tokens } from "@fluentui/react-components";

import type { QuietHours } from "../../bindings/QuietHours";
import type { Severity } from "../../bindings/Severity";
import type { Weekday } from "../../bindings/Weekday";
import { SEVERITY_LABEL } from "../issues/severity";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  days: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap" },
  row: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "flex-start" },
  grow: { flexGrow: 1 },
  bar: { maxWidth: "240px" },
  muted: { color: tokens.colorNeutralForeground3 },
});

const DAYS: { day: Weekday; short: string }[] = [
  { day: "monday", short: "Mon" },
  { day: "tuesday", short: "Tue" },
  { day: "wednesday", short: "Wed" },
  { day: "thursday", short: "Thu" },
  { day: "friday", short: "Fri" },
  { day: "saturday", short: "Sat" },
  { day: "sunday", short: "Sun" },
];

// Holding "below Info" would hold nothing, so the choices start at Low.
const BARS: Severity[] = ["critical", "high", "medium", "low"];

export function weeknights(timeZone: string): QuietHours {
  return {
    days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
    start: "20:00",
    end: "08:00",
    time_zone: timeZone,
    hold_below: "high",
  };
}

/** Quiet hours: when findings below a severity wait for one digest instead of a message each. */
export function QuietHoursField(props: {
  value: QuietHours | null;
  onChange: (value: QuietHours | null) => void;
  timeZone: string;
}) {
  const styles = useStyles();
  const quiet = props.value;
  const update = (change: Partial<QuietHours>) => quiet && props.onChange({ ...quiet, ...change });
  const toggle = (day: Weekday) =>
    quiet &&
    update({
      days: quiet.days.includes(day)
        ? quiet.days.filter((d) => d !== day)
        : DAYS.map((d) => d.day).filter((d) => d === day || quiet.days.includes(d)),
    });

  return (
    <div className={styles.root} data-testid="workflow-quiet-hours">
      <Switch
        checked={quiet !== null}
        onChange={(_, d) => props.onChange(d.checked ? weeknights(props.timeZone) : null)}
        label="Quiet hours"
        data-testid="quiet-hours-switch"
      />
      {quiet && (
        <>
          <Caption1 className={styles.muted}>
            In these hours, findings below the severity you choose wait; when they end, each recipient gets one
            digest of what waited. Worse findings go out at once.
          </Caption1>
          <Field label="Begin on" validationMessage={quiet.days.length === 0 ? "Choose at least one day." : undefined}>
            <div className={styles.days}>
              {DAYS.map(({ day, short }) => (
                <ToggleButton
                  key={day}
                  size="small"
                  // Primary when chosen: the default checked look is too close to unchecked.
                  appearance={quiet.days.includes(day) ? "primary" : "secondary"}
                  checked={quiet.days.includes(day)}
                  onClick={() => toggle(day)}
                  data-testid={`quiet-day-${day}`}
                >
                  {short}
                </ToggleButton>
              ))}
            </div>
          </Field>
          <div className={styles.row}>
            <Field label="From">
              <Input type="time" value={quiet.start} onChange={(_, d) => update({ start: d.value })} data-testid="quiet-start" />
            </Field>
            <Field label="Until">
              <Input type="time" value={quiet.end} onChange={(_, d) => update({ end: d.value })} data-testid="quiet-end" />
            </Field>
            <Field label="Time zone" className={styles.grow}>
              <Input value={quiet.time_zone} onChange={(_, d) => update({ time_zone: d.value })} data-testid="quiet-time-zone" />
            </Field>
          </div>
          <Caption1 className={styles.muted}>
            An end earlier than the start is the next day; the same time is 24 hours.
          </Caption1>
          <Field label="Hold findings below" className={styles.bar}>
            <Dropdown
              value={SEVERITY_LABEL[quiet.hold_below]}
              selectedOptions={[quiet.hold_below]}
              onOptionSelect={(_, d) => update({ hold_below: d.optionValue as Severity })}
              data-testid="quiet-hold-below"
            >
              {BARS.map((s) => (
                <Option key={s} value={s}>
                  {SEVERITY_LABEL[s]}
                </Option>
              ))}
            </Dropdown>
          </Field>
        </>
      )}
    </div>
  );
}
