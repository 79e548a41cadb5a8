import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Delivery } from "../../bindings/Delivery";
import { backend, deliveryItem, fakeTauriModule, nth } from "../../test/fakeBackend";
import { ActivityPage } from "./ActivityPage";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

function delivery(id: string, overrides: Partial<Delivery>): Delivery {
  return deliveryItem({ id, ...overrides });
}

describe("Activity", () => {
  beforeEach(() => {
    backend.reset();
    backend.on("held_messages", () => null);
    backend.on("quiet_holds", () => []);
  });

  it("lists every delivery with its result, resends a failed one, and follows the outbox", async () => {
    let failed = true;
    backend.on("list_deliveries", () => [
      delivery("d1", { action: "updated", action_label: "Updated the card" }),
      delivery("d2", {
        label: "Security Operations › General",
        status: failed ? "failed" : "queued",
        web_url: null,
        sent_at: null,
        problem: failed
          ? { code: "not_found", message: "The channel “General” in Security Operations no longer exists, or you are no longer a member of it." }
          : null,
      }),
    ]);
    backend.on("resend_delivery", () => {
      failed = false;
      return delivery("d2", { status: "queued" });
    });
    const opened: string[] = [];
    render(<ActivityPage onOpenIssue={(id) => opened.push(id)} />);
    const rows = await screen.findAllByTestId("delivery-row");
    expect(rows[0]).toHaveTextContent("Adele Vance");
    expect(rows[0]).toHaveTextContent("Updated the card · Open in Teams");
    expect(rows[1]).toHaveTextContent("no longer exists");
    expect(within(nth(rows, 0)).queryByTestId("resend")).toBeNull();

    await userEvent.click(within(nth(rows, 1)).getByTestId("resend"));
    await waitFor(() => expect(screen.getAllByTestId("delivery-row")[1]).toHaveAttribute("data-status", "queued"));
    expect(backend.calls.some((c) => c.command === "resend_delivery" && (c.args as { id: string }).id === "d2")).toBe(true);

    const before = backend.calls.filter((c) => c.command === "list_deliveries").length;
    act(() => backend.emitOutboxChanged({ sent: 1, retrying: 0, failed: 0, unconfirmed: 0, paused: null, busy: false, next_due: null, answers: 0 }));
    await waitFor(() => expect(backend.calls.filter((c) => c.command === "list_deliveries").length).toBeGreaterThan(before));

    await userEvent.click(within(nth(screen.getAllByTestId("delivery-row"), 0)).getByText("SQL injection in the login route"));
    expect(opened).toEqual(["issue-1"]);
  });

  it("says why a delivery went where it went: an owner's copy, a fallback for an owner", async () => {
    backend.on("list_deliveries", () => [
      delivery("d1", { note: "Owner of src/pay/refund.py (adele.vance@contoso.com)." }),
      delivery("d2", { label: "Diego Siciliani", note: "Fallback: @acme/payments has no Teams mapping." }),
      delivery("d3", { label: "Security Operations › General" }),
    ]);
    render(<ActivityPage onOpenIssue={() => {}} />);
    const rows = await screen.findAllByTestId("delivery-row");
    expect(within(nth(rows, 0)).getByTestId("delivery-note")).toHaveTextContent("Owner of src/pay/refund.py");
    expect(within(nth(rows, 1)).getByTestId("delivery-note")).toHaveTextContent("Fallback: @acme/payments has no Teams mapping.");
    expect(within(nth(rows, 2)).queryByTestId("delivery-note")).toBeNull();
  });

  it("offers to send or discard messages held after another person connected", async () => {
    let held = true;
    backend.on("list_deliveries", () => [delivery("d1", { status: held ? "held" : "queued", web_url: null, sent_at: null })]);
    backend.on("held_messages", () =>
      held ? { count: 2, reason: "Queued while megan@contoso.com was connected; adele@contoso.com is connected now." } : null,
    );
    backend.on("release_held_messages", () => {
      held = false;
      return 2;
    });
    render(<ActivityPage onOpenIssue={() => undefined} />);
    const banner = await screen.findByTestId("held-messages");
    expect(banner).toHaveTextContent("2 messages are held");
    expect(banner).toHaveTextContent("adele@contoso.com is connected now");
    expect(await screen.findByTestId("delivery-status")).toHaveTextContent("Held");

    await userEvent.click(within(banner).getByTestId("held-send"));
    await waitFor(() => expect(screen.queryByTestId("held-messages")).toBeNull());
    expect(backend.calls.find((c) => c.command === "release_held_messages")?.args).toEqual({ send: true });
  });

  it("says what workflows hold for their quiet hours and until when", async () => {
    backend.on("list_deliveries", () => []);
    backend.on("quiet_holds", () => [
      { workflow_id: "w1", workflow_name: "Nightly triage", findings: 2, until: "held until 08:00 Europe/Paris" },
    ]);
    render(<ActivityPage onOpenIssue={() => undefined} />);
    const banner = await screen.findByTestId("quiet-holds");
    expect(banner).toHaveTextContent("“Nightly triage”: 2 findings held until 08:00 Europe/Paris, then one digest to each recipient.");
  });
});
