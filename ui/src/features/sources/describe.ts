import type { AlertKind } from "../../bindings/AlertKind";
import type { Source } from "../../bindings/Source";

export const ALERT_KINDS: readonly { value: AlertKind; label: string; inSentence: string }[] = [
  { value: "code_scanning", label: "Code scanning", inSentence: "code scanning" },
  { value: "dependabot", label: "Dependabot", inSentence: "Dependabot" },
  { value: "secret_scanning", label: "Secret scanning", inSentence: "secret scanning" },
];

/** "a, b and c". */
function listed(items: string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** What a source watches, in a line. */
export function describeSource(source: Source): string {
  const config = source.config;
  if (config.kind === "folder") return `${config.path} — .sarif and .json reports, each once it stops changing`;
  const what = listed([...(config.org ? [`every repository of ${config.org}`] : []), ...config.repos]);
  const kinds = listed(ALERT_KINDS.filter((k) => config.kinds.includes(k.value)).map((k) => k.inSentence));
  const minutes = Math.round(source.interval_secs / 60);
  return `${kinds} alerts of ${what} at ${config.api_url}, every ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export function time(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}
