import type { Recipient } from "../../../bindings/Recipient";

/** The same key the core uses: one delivery per place. */
export function keyOf(recipient: Recipient): string {
  switch (recipient.kind) {
    case "channel":
      return `channel:${recipient.team_id}/${recipient.channel_id}`;
    case "person":
      return `person:${recipient.user_id}`;
    case "chat":
      return `chat:${recipient.chat_id}`;
    case "group_chat":
      return `group:${recipient.people
        .map((p) => p.user_id)
        .sort()
        .join(",")}`;
  }
}

export function labelOf(recipient: Recipient): string {
  switch (recipient.kind) {
    case "channel":
      return `${recipient.team_name} › ${recipient.channel_name}`;
    case "person":
      return recipient.name || recipient.mail;
    case "chat":
      return `Chat: ${recipient.title}`;
    case "group_chat":
      return `Group chat: ${recipient.people.map((p) => p.name).join(", ")}`;
  }
}

/** With "one group chat", the chosen people become one group chat; the rest stay. */
export function asSent(recipients: Recipient[], asGroup: boolean): Recipient[] {
  const people = recipients.flatMap((r) => (r.kind === "person" ? [r] : []));
  if (!asGroup || people.length < 2) return recipients;
  return [
    ...recipients.filter((r) => r.kind !== "person"),
    { kind: "group_chat", people: people.map((p) => ({ user_id: p.user_id, name: p.name || p.mail })), topic: null },
  ];
}
