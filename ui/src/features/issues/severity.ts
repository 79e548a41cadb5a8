import type { Change } from "../../bindings/Change";
import type { Severity } from "../../bindings/Severity";

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];
export const CHANGES: readonly Change[] = ["new", "updated", "existing"];

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
};

export const CHANGE_COLOR: Record<Change, BadgeColor> = {
  new: "brand",
  updated: "warning",
  existing: "subtle",
};

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
