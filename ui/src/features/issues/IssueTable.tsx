import {
  Badge,
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Skeleton,
  SkeletonItem,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircle16Filled, MoreHorizontal20Regular, Open20Regular, Send20Regular } from "@fluentui/react-icons";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";

import type { Issue } from "../../bindings/Issue";
import { SEVERITY_COLOR, SEVERITY_LABEL, formatTime, locationOf, shortTime, statusBadge } from "./severity";
import type { IssueWindow } from "./useIssueWindow";

const ROW_HEIGHT = 44;
const COLUMNS = "88px minmax(0, 2fr) minmax(0, 0.8fr) minmax(0, 1.1fr) 96px 148px 44px";
// Beside the detail pane: severity, title, location, status.
const COMPACT_COLUMNS = "88px minmax(0, 2fr) minmax(0, 1fr) 96px 44px";

const useStyles = makeStyles({
  status: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXS },
  acknowledged: { color: tokens.colorPaletteGreenForeground1, flexShrink: 0 },
  root: {
    display: "flex",
    flexDirection: "column",
    minHeight: 0,
    flexGrow: 1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    overflow: "hidden",
  },
  header: {
    display: "grid",
    alignItems: "center",
    minHeight: "36px",
    paddingLeft: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    color: tokens.colorNeutralForeground2,
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase200,
  },
  scroller: { overflowY: "auto", flexGrow: 1, minHeight: 0, outline: "none" },
  row: {
    position: "absolute",
    left: 0,
    right: 0,
    display: "grid",
    alignItems: "center",
    paddingLeft: tokens.spacingHorizontalM,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    cursor: "pointer",
    fontSize: tokens.fontSizeBase300,
    ":hover": { backgroundColor: tokens.colorSubtleBackgroundHover },
  },
  selected: {
    backgroundColor: tokens.colorBrandBackground2,
    ":hover": { backgroundColor: tokens.colorBrandBackground2Hover },
  },
  cell: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", paddingRight: tokens.spacingHorizontalM },
  muted: { color: tokens.colorNeutralForeground3 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

function IssueActions(props: { issue: Issue; onSend: () => void; onOpenHelp: () => void }) {
  return (
    <MenuList>
      <MenuItem icon={<Send20Regular />} onClick={props.onSend} data-testid="menu-send">
        Send message to Teams
      </MenuItem>
      <MenuItem icon={<Open20Regular />} disabled={props.issue.help_uri === null} onClick={props.onOpenHelp}>
        Open rule help
      </MenuItem>
    </MenuList>
  );
}

export function IssueTable(props: {
  window: IssueWindow;
  /** The detail pane is open: fewer columns. */
  compact: boolean;
  selectedId: string | null;
  onSelect: (issue: Issue) => void;
  onSend: (issue: Issue) => void;
  onOpenHelp: (issue: Issue) => void;
}) {
  const styles = useStyles();
  const { window, selectedId, onSelect } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const total = window.total ?? 0;
  const columns = { gridTemplateColumns: props.compact ? COMPACT_COLUMNS : COLUMNS };
  // TanStack Virtual keeps its own mutable state; the compiler leaves this component alone.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { ensure } = window;
  useEffect(() => {
    if (total > 0) ensure(first, last);
  }, [ensure, first, last, total]);

  // Arrow keys move the selection, as in a list.
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    let index = -1;
    for (let i = first; i <= last; i++) if (window.rowAt(i)?.id === selectedId) index = i;
    const next = Math.min(Math.max(index + (event.key === "ArrowDown" ? 1 : -1), 0), total - 1);
    const issue = window.rowAt(next);
    if (issue) {
      onSelect(issue);
      virtualizer.scrollToIndex(next);
    }
  };

  return (
    <div className={styles.root} role="table" aria-label="Active issues" aria-rowcount={total}>
      <div className={styles.header} style={columns} role="row">
        <span role="columnheader">Severity</span>
        <span role="columnheader">Title</span>
        {!props.compact && <span role="columnheader">Tool</span>}
        <span role="columnheader">Location</span>
        <span role="columnheader">Status</span>
        {!props.compact && <span role="columnheader">First seen</span>}
        <span role="columnheader" aria-label="Actions" />
      </div>
      <div className={styles.scroller} ref={scroller} tabIndex={0} onKeyDown={onKeyDown} data-testid="issue-rows">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const issue = window.rowAt(item.index);
            const style = { ...columns, top: item.start, height: item.size };
            if (!issue) {
              return (
                <div key={item.key} className={styles.row} style={style} role="row" aria-rowindex={item.index + 1}>
                  <Skeleton aria-label="Loading" style={{ gridColumn: "1 / -2" }}>
                    <SkeletonItem size={16} />
                  </Skeleton>
                </div>
              );
            }
            // Right-clicking a row offers the same actions as its "..." button.
            return (
              <Menu key={item.key} openOnContext>
                <MenuTrigger disableButtonEnhancement>
                  <div
                    className={mergeClasses(styles.row, issue.id === selectedId && styles.selected)}
                    style={style}
                    role="row"
                    aria-rowindex={item.index + 1}
                    aria-selected={issue.id === selectedId}
                    data-testid="issue-row"
                    data-issue-id={issue.id}
                    onClick={() => onSelect(issue)}
                  >
                    <span className={styles.cell} role="cell">
                      <Badge appearance="filled" color={SEVERITY_COLOR[issue.severity]} size="medium">
                        {SEVERITY_LABEL[issue.severity]}
                      </Badge>
                    </span>
                    <span className={styles.cell} role="cell" title={issue.title}>
                      {issue.title}
                    </span>
                    {!props.compact && (
                      <span className={mergeClasses(styles.cell, styles.muted)} role="cell" title={issue.tool}>
                        {issue.tool}
                      </span>
                    )}
                    <span className={mergeClasses(styles.cell, styles.mono)} role="cell" title={locationOf(issue)}>
                      {locationOf(issue)}
                    </span>
                    <span className={mergeClasses(styles.cell, styles.status)} role="cell">
                      <Badge appearance="tint" color={statusBadge(issue).color} data-testid="issue-status">
                        {statusBadge(issue).label}
                      </Badge>
                      {issue.acknowledged_at !== null && (
                        <CheckmarkCircle16Filled
                          className={styles.acknowledged}
                          role="img"
                          aria-label={`Acknowledged by ${issue.acknowledged_by ?? "someone"} on ${formatTime(issue.acknowledged_at)}`}
                          data-testid="issue-acknowledged"
                        >
                          <title>{`Acknowledged by ${issue.acknowledged_by ?? "someone"} on ${formatTime(issue.acknowledged_at)}`}</title>
                        </CheckmarkCircle16Filled>
                      )}
                    </span>
                    {!props.compact && (
                      <span className={mergeClasses(styles.cell, styles.muted)} role="cell" title={formatTime(issue.first_seen)}>
                        {shortTime(issue.first_seen)}
                      </span>
                    )}
                    <span role="cell" onClick={(event) => event.stopPropagation()}>
                      <Menu positioning="below-end">
                        <MenuTrigger disableButtonEnhancement>
                          <Button
                            appearance="subtle"
                            icon={<MoreHorizontal20Regular />}
                            aria-label={`More actions for ${issue.title}`}
                            data-testid="issue-menu"
                          />
                        </MenuTrigger>
                        <MenuPopover>
                          <IssueActions issue={issue} onSend={() => props.onSend(issue)} onOpenHelp={() => props.onOpenHelp(issue)} />
                        </MenuPopover>
                      </Menu>
                    </span>
                  </div>
                </MenuTrigger>
                <MenuPopover>
                  <IssueActions issue={issue} onSend={() => props.onSend(issue)} onOpenHelp={() => props.onOpenHelp(issue)} />
                </MenuPopover>
              </Menu>
            );
          })}
        </div>
      </div>
    </div>
  );
}
