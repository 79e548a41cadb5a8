import type { Change } from "../../bindings/Change";
import type { Issue } from "../../bindings/Issue";
import type { IssueEventKind } from "../../bindings/IssueEventKind";
import type { IssueState } from "../../bindings/IssueState";
import type { Severity } from "../../bindings/Severity";

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];
export const CHANGES: readonly Change[] = ["new", "updated", "reopened", "existing"];
export const STATES: readonly IssueState[] = ["open", "fixed", "suppressed"];

type BadgeColor = "danger" | "severe" | "warning" | "informative" | "subtle" | "brand" | "success";

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  info: "Info",
};

export const SEVERITY_COLOR: Record<Severity, BadgeColor> = {
  critical: "danger",
  high: "severe",
  medium: "warning",
  low: "informative",
  info: "subtle",
};

export const CHANGE_LABEL: Record<Change, string> = {
  new: "New",
  updated: "Updated",
  existing: "Unchanged",
  reopened: "Reopened",
};

export const CHANGE_COLOR: Record<Change, BadgeColor> = {
  new: "brand",
  updated: "warning",
  existing: "subtle",
  reopened: "severe",
};

export const STATE_LABEL: Record<IssueState, string> = {
  open: "Open",
  fixed: "Fixed",
  suppressed: "Suppressed",
};

export const EVENT_LABEL: Record<IssueEventKind, string> = {
  new: "First reported",
  updated: "Updated",
  reopened: "Reopened",
  fixed: "Fixed",
  suppressed: "Suppressed",
  unsuppressed: "Suppression lifted",
};

/** The badge beside an issue: its state when fixed or suppressed, else what the last import did. */
export function statusBadge(issue: Pick<Issue, "state" | "change">): { label: string; color: BadgeColor } {
  if (issue.state === "fixed") return { label: "Fixed", color: "success" };
  if (issue.state === "suppressed") return { label: "Suppressed", color: "subtle" };
  return { label: CHANGE_LABEL[issue.change], color: CHANGE_COLOR[issue.change] };
}

export function locationOf(issue: { path: string | null; line: number | null }): string {
  if (issue.path === null) return "(no location)";
  return issue.line === null ? issue.path : `${issue.path}:${issue.line}`;
}

/** "28 Nov 2026, 14:05" in the person's locale and time zone. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "Nov 28, 16:05": the table's short form. */
export function shortTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
