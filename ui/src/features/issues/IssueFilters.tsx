import {
  Button,
  Caption1,
  Dropdown,
  Option,
  SearchBox,
  ToggleButton,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";

import type { Change } from "../../bindings/Change";
import type { IssueFacets } from "../../bindings/IssueFacets";
import type { IssueFilter } from "../../bindings/IssueFilter";
import type { IssueState } from "../../bindings/IssueState";
import type { Severity } from "../../bindings/Severity";
import { CHANGES, CHANGE_LABEL, SEVERITIES, SEVERITY_LABEL, STATES, STATE_LABEL } from "./severity";

const useStyles = makeStyles({
  root: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
  search: { width: "220px" },
  severities: { display: "flex", gap: tokens.spacingHorizontalXS },
  dropdown: { minWidth: "150px", width: "150px" },
  count: { marginLeft: "auto", color: tokens.colorNeutralForeground3 },
});

/** What Active Issues shows first: the open findings (new, updated, reopened, unchanged). */
export const OPEN_ISSUES: IssueFilter = { severities: [], tools: [], changes: [], states: ["open"], text: "", unacknowledged: false };

function countOf(facets: IssueFacets | null, kind: "severities" | "tools" | "changes" | "states", value: string): number {
  return facets?.[kind].find((f) => f.value === value)?.count ?? 0;
}

function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export function IssueFilters(props: {
  filter: IssueFilter;
  facets: IssueFacets | null;
  shown: number | null;
  onChange: (filter: IssueFilter) => void;
}) {
  const styles = useStyles();
  const { filter, facets, onChange } = props;
  const [text, setText] = useState(filter.text);
  // Typing is debounced: the list follows a moment after the last key.
  useEffect(() => {
    if (text === filter.text) return;
    const timer = setTimeout(() => onChange({ ...filter, text }), 250);
    return () => clearTimeout(timer);
  }, [text, filter, onChange]);

  const onlyOpen = filter.states.length === 1 && filter.states[0] === "open";
  const filtered =
    filter.severities.length + filter.tools.length + filter.changes.length > 0 || filter.text !== "" || !onlyOpen || filter.unacknowledged;
  return (
    <div className={styles.root} role="search">
      <SearchBox
        className={styles.search}
        placeholder="Search title, rule, path, description"
        value={text}
        onChange={(_, data) => setText(data.value)}
        aria-label="Search issues"
        data-testid="issue-search"
      />
      <div className={styles.severities} role="group" aria-label="Severity">
        {SEVERITIES.map((severity: Severity) => (
          <ToggleButton
            key={severity}
            size="small"
            checked={filter.severities.includes(severity)}
            onClick={() => onChange({ ...filter, severities: toggle(filter.severities, severity) })}
            data-testid={`severity-${severity}`}
          >
            {SEVERITY_LABEL[severity]} {countOf(facets, "severities", severity)}
          </ToggleButton>
        ))}
      </div>
      <Dropdown
        className={styles.dropdown}
        multiselect
        placeholder="All tools"
        aria-label="Tools"
        selectedOptions={filter.tools}
        value={filter.tools.join(", ")}
        onOptionSelect={(_, data) => onChange({ ...filter, tools: data.selectedOptions })}
      >
        {(facets?.tools ?? []).map((tool) => (
          <Option key={tool.value} value={tool.value} text={tool.value}>
            {`${tool.value} (${tool.count})`}
          </Option>
        ))}
      </Dropdown>
      <Dropdown
        className={styles.dropdown}
        multiselect
        placeholder="Open, fixed or suppressed"
        aria-label="State"
        selectedOptions={filter.states}
        value={filter.states.map((s) => STATE_LABEL[s]).join(", ")}
        onOptionSelect={(_, data) => onChange({ ...filter, states: data.selectedOptions as IssueState[] })}
        data-testid="state-filter"
      >
        {STATES.map((state) => (
          <Option key={state} value={state} text={STATE_LABEL[state]}>
            {`${STATE_LABEL[state]} (${countOf(facets, "states", state)})`}
          </Option>
        ))}
      </Dropdown>
      <Dropdown
        className={styles.dropdown}
        multiselect
        placeholder="Any status"
        aria-label="Status"
        selectedOptions={filter.changes}
        value={filter.changes.map((c) => CHANGE_LABEL[c]).join(", ")}
        onOptionSelect={(_, data) => onChange({ ...filter, changes: data.selectedOptions as Change[] })}
      >
        {CHANGES.map((change) => (
          <Option key={change} value={change} text={CHANGE_LABEL[change]}>
            {`${CHANGE_LABEL[change]} (${countOf(facets, "changes", change)})`}
          </Option>
        ))}
      </Dropdown>
      <ToggleButton
        size="small"
        checked={filter.unacknowledged}
        onClick={() => onChange({ ...filter, unacknowledged: !filter.unacknowledged })}
        title="Findings nobody has reacted to or replied to in Teams yet"
        data-testid="unacknowledged-filter"
      >
        Not acknowledged
      </ToggleButton>
      {filtered && (
        <Button
          appearance="subtle"
          onClick={() => {
            setText("");
            onChange(OPEN_ISSUES);
          }}
        >
          Clear filters
        </Button>
      )}
      <Caption1 className={styles.count} aria-live="polite" data-testid="issue-count">
        {props.shown === null
          ? ""
          : filtered
            ? `${props.shown.toLocaleString()} of ${(facets?.total ?? 0).toLocaleString()} ${facets?.total === 1 ? "issue" : "issues"}`
            : `${props.shown.toLocaleString()} ${props.shown === 1 ? "issue" : "issues"}`}
      </Caption1>
    </div>
  );
}
