import { Badge, Spinner, Tooltip } from "@fluentui/react-components";

import type { Delivery } from "../../bindings/Delivery";
import type { DeliveryStatus } from "../../bindings/DeliveryStatus";

type BadgeColor = "success" | "danger" | "warning" | "informative" | "brand" | "severe";

const LOOK: Record<DeliveryStatus, [string, BadgeColor]> = {
  queued: ["Queued", "informative"],
  sending: ["Sending", "brand"],
  retrying: ["Retrying", "warning"],
  sent: ["Sent", "success"],
  failed: ["Failed", "danger"],
  paused: ["Reconnect needed", "severe"],
  unconfirmed: ["Unconfirmed", "warning"],
  held: ["Held", "warning"],
};

export function isSettled(delivery: Delivery): boolean {
  return ["sent", "failed", "unconfirmed", "paused", "held"].includes(delivery.status);
}

/** "Retrying at 14:05:30" for a delivery waiting for its next attempt. */
export function nextAttempt(delivery: Delivery): string | null {
  if (delivery.status !== "retrying" && delivery.status !== "queued") return null;
  const at = new Date(delivery.next_attempt_at);
  if (at.getTime() <= Date.now()) return null;
  return `next attempt at ${at.toLocaleTimeString()}`;
}

export function DeliveryStatusBadge(props: { delivery: Delivery }) {
  const [label, color] = LOOK[props.delivery.status];
  const busy = props.delivery.status === "sending" || props.delivery.status === "queued";
  const badge = (
    <Badge
      appearance="tint"
      color={color}
      icon={busy ? <Spinner size="extra-tiny" /> : undefined}
      data-testid="delivery-status"
      data-status={props.delivery.status}
    >
      {props.delivery.status === "retrying" ? `${label} (${props.delivery.attempts})` : label}
    </Badge>
  );
  return props.delivery.attempts > 1 ? (
    <Tooltip content={`${props.delivery.attempts} attempts`} relationship="description">
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}
