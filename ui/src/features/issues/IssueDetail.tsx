import {
  Badge,
  Body1,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  Subtitle1,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { Dismiss20Regular, Open20Regular } from "@fluentui/react-icons";

import type { Issue } from "../../bindings/Issue";
import type { IssueEvent } from "../../bindings/IssueEvent";
import { commands } from "../../ipc/commands";
import { IssueConversations } from "./IssueConversations";
import { EVENT_LABEL, SEVERITY_COLOR, SEVERITY_LABEL, formatTime, locationOf, statusBadge } from "./severity";
import { TeamsIcon } from "./TeamsIcon";

const useStyles = makeStyles({
  root: {
    width: "360px",
    flexShrink: 0,
    display: "flex",
    flexDirection: "column",
    minHeight: 0,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  body: {
    flexGrow: 1,
    overflowY: "auto",
    padding: tokens.spacingHorizontalL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  top: { display: "flex", alignItems: "flex-start", gap: tokens.spacingHorizontalS },
  badges: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap", flexGrow: 1 },
  title: { overflowWrap: "anywhere" },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, lineHeight: tokens.lineHeightBase300 },
  value: { margin: 0, overflowWrap: "anywhere", fontSize: tokens.fontSizeBase300, lineHeight: tokens.lineHeightBase300 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  description: { whiteSpace: "pre-wrap", overflowWrap: "anywhere", color: tokens.colorNeutralForeground2 },
  tags: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
  // The body scrolls; the bar keeps its height instead of shrinking under its text.
  stateBar: { flexShrink: 0 },
  history: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyle: "none" },
  event: {
    display: "flex",
    flexDirection: "column",
    paddingLeft: tokens.spacingHorizontalS,
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorNeutralStroke2}`,
  },
  eventHead: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "baseline" },
  footer: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingHorizontalL,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  teams: { flexGrow: 1 },
});

/** The issue's history, read again when a new import changes it. */
function useIssueHistory(issue: Issue): IssueEvent[] | null {
  const key = `${issue.id}/${issue.revision}/${issue.state}/${issue.last_seen}`;
  const [loaded, setLoaded] = useState<{ of: string; events: IssueEvent[] } | null>(null);
  useEffect(() => {
    let current = true;
    commands.issueHistory(issue.id).then(
      (events) => current && setLoaded({ of: key, events }),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [issue.id, key]);
  return loaded?.of === key ? loaded.events : null;
}

/** Why a finding is no longer open, in a sentence. */
function stateSentence(issue: Issue): string | null {
  const since = issue.state_changed_at === null ? "" : ` on ${formatTime(issue.state_changed_at)}`;
  if (issue.state === "fixed")
    return `Fixed${since}: the scan in ${issue.fixed_by ?? "a later import"} no longer reports it.`;
  if (issue.state === "suppressed") return `Suppressed${since}: the scanner reports it as suppressed.`;
  return null;
}

/** Everything known about one issue, and the way to send it to Teams. */
export function IssueDetail(props: {
  issue: Issue;
  onClose: () => void;
  onSend: () => void;
  onOpenHelp: () => void;
  onOpenAlert: () => void;
}) {
  const styles = useStyles();
  const { issue } = props;
  const history = useIssueHistory(issue);
  const status = statusBadge(issue);
  const stateLine = stateSentence(issue);
  const rule = issue.rule_name && issue.rule_name !== issue.rule_id ? `${issue.rule_id} — ${issue.rule_name}` : issue.rule_id;
  const facts: [string, string, boolean?][] = [
    ["Tool", issue.tool],
    ["Rule", rule, true],
    ["Location", issue.column === null ? locationOf(issue) : `${locationOf(issue)}:${issue.column}`, true],
    ["Score", issue.score === null ? "—" : issue.score.toFixed(1)],
    ["First seen", formatTime(issue.first_seen)],
    ["Last seen", formatTime(issue.last_seen)],
    ["Revision", String(issue.revision)],
    ["Scope", issue.scope, true],
    ["Imported from", issue.source, true],
    ["Issue ID", issue.id, true],
  ];
  return (
    <aside className={styles.root} aria-label="Issue details" data-testid="issue-detail">
      <div className={styles.body}>
        <div className={styles.top}>
          <div className={styles.badges}>
            <Badge appearance="filled" color={SEVERITY_COLOR[issue.severity]}>
              {SEVERITY_LABEL[issue.severity]}
            </Badge>
            <Badge appearance="tint" color={status.color} data-testid="issue-detail-status">
              {status.label}
            </Badge>
          </div>
          <Button appearance="subtle" icon={<Dismiss20Regular />} aria-label="Close details" onClick={props.onClose} />
        </div>
        <Subtitle1 as="h2" className={styles.title} data-testid="issue-detail-title">
          {issue.title}
        </Subtitle1>
        {stateLine && (
          <MessageBar className={styles.stateBar} layout="multiline" intent={issue.state === "fixed" ? "success" : "info"} data-testid="issue-state">
            <MessageBarBody>{stateLine}</MessageBarBody>
          </MessageBar>
        )}
        {issue.acknowledged_at !== null && (
          <Caption1 data-testid="issue-acknowledged-by">
            Acknowledged by {issue.acknowledged_by ?? "someone"} on {formatTime(issue.acknowledged_at)}
          </Caption1>
        )}
        <IssueConversations issueId={issue.id} version={`${issue.revision}/${issue.state}/${issue.acknowledged_at ?? ""}`} />
        <dl className={styles.facts}>
          {facts.map(([term, value, mono]) => (
            <div key={term} style={{ display: "contents" }}>
              <dt className={styles.term}>{term}</dt>
              <dd className={mono ? `${styles.value} ${styles.mono}` : styles.value}>{value}</dd>
            </div>
          ))}
        </dl>
        {issue.description && (
          <Body1 as="p" className={styles.description}>
            {issue.description}
          </Body1>
        )}
        {history !== null && history.length > 0 && (
          <section aria-label="History">
            <Subtitle2 as="h3">History</Subtitle2>
            <ol className={styles.history} data-testid="issue-history">
              {[...history].reverse().map((event, index) => (
                <li key={`${event.at}-${index}`} className={styles.event} title={`Imported from ${event.source}`}>
                  <span className={styles.eventHead}>
                    <Body1>{EVENT_LABEL[event.kind]}</Body1>
                    <Caption1 className={styles.muted}>
                      revision {event.revision} · {formatTime(event.at)}
                    </Caption1>
                  </span>
                  {event.changes.map((change) => (
                    <Caption1 key={change}>{change}</Caption1>
                  ))}
                </li>
              ))}
            </ol>
          </section>
        )}
        {issue.tags.length > 0 && (
          <div className={styles.tags} aria-label="Tags">
            {issue.tags.map((tag) => (
              <Badge key={tag} appearance="outline" color="informative">
                {tag}
              </Badge>
            ))}
          </div>
        )}
      </div>
      <div className={styles.footer}>
        <Button
          className={styles.teams}
          appearance="primary"
          icon={<TeamsIcon />}
          onClick={props.onSend}
          data-testid="send-to-teams"
        >
          Teams
        </Button>
        <Button icon={<Open20Regular />} disabled={issue.help_uri === null} onClick={props.onOpenHelp}>
          Rule help
        </Button>
        {issue.link !== null && (
          <Button icon={<Open20Regular />} onClick={props.onOpenAlert} data-testid="open-alert">
            Open alert
          </Button>
        )}
      </div>
    </aside>
  );
}
