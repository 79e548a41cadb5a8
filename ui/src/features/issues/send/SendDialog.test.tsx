import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Delivery } from "../../../bindings/Delivery";
import type { Recipient } from "../../../bindings/Recipient";
import type { SendRequest } from "../../../bindings/SendRequest";
import { backend, channelItem, deliveryItem, fakeTauriModule, issue, nth, personItem } from "../../../test/fakeBackend";
import { SendDialog } from "./SendDialog";

vi.mock("../../../ipc/tauri", () => fakeTauriModule());

const listing = <T,>(items: T[]) => ({ items, fetched_at: "2026-11-28T10:00:00Z", stale_because: null });
const secOps = { id: "t1", name: "Security Operations" };

const card = {
  type: "AdaptiveCard",
  version: "1.5",
  body: [{ type: "TextBlock", text: "HIGH (8.1)", weight: "Bolder" }, { type: "TextBlock", text: "Can you take this one \\*today\\*?", wrap: true }],
  actions: [{ type: "Action.OpenUrl", title: "Open in OX Teams Connector", url: "ox-teams://issues/issue-1" }],
};

function delivery(recipient: Recipient, label: string, overrides: Partial<Delivery>): Delivery {
  return deliveryItem({
    id: `d-${label}`,
    issue_title: "SQL injection in route 1",
    recipient,
    label,
    status: "queued",
    attempts: 0,
    web_url: null,
    sent_at: null,
    action: null,
    action_label: null,
    ...overrides,
  });
}

function setUp() {
  backend.on("list_teams", () => listing([{ id: "t1", name: "Security Operations", description: "" }]));
  backend.on("list_channels", () =>
    listing([
      channelItem(secOps, "c1", "General"),
      channelItem(secOps, "c2", "Incident Response", "private"),
    ]),
  );
  backend.on("search_people", (args) =>
    (args as { query: string }).query.startsWith("ad")
      ? listing([personItem("u2", "Adele Vance", "adele.vance@contoso.com", "Security Engineer")])
      : listing([]),
  );
  backend.on("list_chats", () => listing([]));
  backend.on("preview_send", (args) => {
    const request = (args as { request: SendRequest }).request;
    return {
      composition: { card, summary: "High security issue", trimmed: [], size_bytes: 2150, limit_bytes: 26624, card_version: "1.5" },
      recipients: request.recipients.map((r) => {
        // The core's answer for a channel: whom the post @mentions, and who would not be notified.
        const mentioning = r.kind === "channel" && (request.owners.mention || request.mentions.length > 0);
        return {
          label: r.label,
          key: r.key,
          problem: null,
          follows: null,
          note: null,
          mentions: mentioning ? ["Adele Vance", ...request.mentions.map((m) => (m.kind === "channel" ? "General" : m.kind))] : [],
          mention_warnings: mentioning ? ["Alex Wilber is not a member of Security Operations: the @mention will not notify them."] : [],
        };
      }),
      blocking: request.recipients.length === 0 ? ["Choose at least one channel, person or chat to send the message to."] : [],
      owners: request.owners.mention
        ? { path: "src/login.py", rule: "Line 2: /src/ adele.vance@contoso.com", reached: [{ owner: "adele.vance@contoso.com", recipient: personItem("u2", "Adele Vance", "adele.vance@contoso.com").recipient }], unresolved: [{ owner: "@acme/web", reason: "@acme/web has no Teams mapping." }] }
        : null,
    };
  });
}

describe("Send message to Teams", () => {
  beforeEach(() => backend.reset());

  it("@mentions the owners and the channel, shows the line Teams draws above the card, and warns who would not be notified", async () => {
    setUp();
    render(<SendDialog issue={issue(1)} onClose={() => {}} onOpenActivity={() => {}} />);
    await userEvent.click(await screen.findByTestId("team-picker"));
    await userEvent.click(await screen.findByRole("option", { name: "Security Operations" }));
    await userEvent.click(nth(await screen.findAllByTestId("channel-option"), 0));
    await userEvent.click(screen.getByTestId("owners-mention"));
    await userEvent.click(screen.getByTestId("mention-channel"));
    expect(await screen.findByTestId("mention-line")).toHaveTextContent("Adele Vance General");
    expect(screen.getByTestId("mention-warning")).toHaveTextContent("Alex Wilber is not a member of Security Operations");
    expect(screen.getByTestId("send-owners")).toHaveTextContent("adele.vance@contoso.com → Adele Vance");
    expect(screen.getByTestId("send-owners")).toHaveTextContent("@acme/web has no Teams mapping.");
    const request = (backend.calls.filter((c) => c.command === "preview_send").at(-1)?.args as { request: SendRequest }).request;
    expect(request.owners).toEqual({ message: false, mention: true });
    expect(request.mentions).toEqual([{ kind: "channel" }]);
  });

  it("picks a channel and a person, previews the exact card, sends, and shows each recipient's result", async () => {
    setUp();
    const channel = channelItem(secOps, "c1", "General").recipient;
    const adele = personItem("u2", "Adele Vance", "adele.vance@contoso.com").recipient;
    let polls = 0;
    backend.on("send_message", () => ({
      message_id: "m-1",
      deliveries: [delivery(channel, "Security Operations › General", {}), delivery(adele, "Adele Vance", {})],
    }));
    backend.on("message_deliveries", () => {
      polls += 1;
      return [
        delivery(channel, "Security Operations › General", { status: "sent", attempts: 1, web_url: "https://teams.example/m1" }),
        delivery(adele, "Adele Vance", {
          status: polls > 1 ? "failed" : "retrying",
          attempts: 2,
          problem: { code: "forbidden", message: "Microsoft Teams does not let you post to Adele Vance: chat is blocked." },
        }),
      ];
    });
    render(<SendDialog issue={issue(1)} onClose={() => {}} onOpenActivity={() => {}} />);
    const dialog = await screen.findByTestId("send-dialog");
    expect(screen.getByTestId("send-button")).toBeDisabled();
    expect(await within(dialog).findByText("Choose at least one channel, person or chat to send the message to.")).toBeInTheDocument();

    await userEvent.click(screen.getByTestId("team-picker"));
    await userEvent.click(await screen.findByRole("option", { name: "Security Operations" }));
    const channels = await screen.findAllByTestId("channel-option");
    expect(screen.getByText("Private")).toBeInTheDocument();
    await userEvent.click(nth(channels, 0));

    await userEvent.click(screen.getByTestId("tab-people"));
    await userEvent.type(screen.getByTestId("people-search"), "ade");
    await userEvent.click(await screen.findByTestId("person-option"));
    await userEvent.type(screen.getByTestId("send-comment"), "Can you take this one *today*?");

    const chosen = screen.getByTestId("chosen-recipients");
    expect(chosen).toHaveTextContent("Security Operations › General");
    expect(chosen).toHaveTextContent("Adele Vance");
    await waitFor(() => expect(screen.getByTestId("send-checks")).toHaveTextContent("Adele Vance can be reached."));
    expect(screen.getByTestId("send-checks")).toHaveTextContent("Adaptive Card 1.5, 2.1 KB of the 26.0 KB Teams allows.");
    // Microsoft's renderer draws the card; the escaped Markdown shows as typed, not as emphasis.
    // The renderer loads with the first preview.
    const preview = await screen.findByTestId("card-preview");
    await waitFor(() => expect(preview).toHaveTextContent("Can you take this one *today*?"));
    expect(preview.querySelector("em")).toBeNull();

    const previews = backend.calls.filter((c) => c.command === "preview_send");
    const last = (nth(previews, previews.length - 1).args as { request: SendRequest }).request;
    expect(last.recipients.map((r) => r.kind)).toEqual(["channel", "person"]);
    expect(last.comment).toBe("Can you take this one *today*?");

    await waitFor(() => expect(screen.getByTestId("send-button")).toBeEnabled());
    await userEvent.click(screen.getByTestId("send-button"));
    const results = await screen.findAllByTestId("send-result");
    expect(results).toHaveLength(2);
    await waitFor(() => expect(within(nth(results, 1)).getByTestId("delivery-status")).toHaveTextContent("Failed"));
    expect(results[0]).toHaveTextContent("Open the message in Teams");
    expect(results[1]).toHaveTextContent("Microsoft Teams does not let you post to Adele Vance: chat is blocked.");
    expect(screen.getByTestId("send-done")).toHaveTextContent("Done");
  });

  it("offers one group chat for several people", async () => {
    setUp();
    backend.on("search_people", () =>
      listing([
        personItem("u2", "Adele Vance", "adele.vance@contoso.com"),
        personItem("u3", "Alex Wilber", "alex.wilber@contoso.com"),
      ]),
    );
    render(<SendDialog issue={issue(1)} onClose={() => {}} onOpenActivity={() => {}} />);
    await userEvent.click(await screen.findByTestId("tab-people"));
    await userEvent.type(screen.getByTestId("people-search"), "al");
    for (const option of await screen.findAllByTestId("person-option")) await userEvent.click(option);
    await userEvent.click(screen.getByLabelText(/as one new group chat/));
    await waitFor(() => {
      const previews = backend.calls.filter((c) => c.command === "preview_send");
      const last = (nth(previews, previews.length - 1).args as { request: SendRequest }).request;
      expect(last.as_group).toBe(true);
      expect(last.recipients.map((r) => r.key)).toEqual(["person:u2", "person:u3"]);
    });
  });
});

describe("Send message to Teams as the bot", () => {
  beforeEach(() => backend.reset());

  it("sends as the bot when only the bot is connected, to people and channels only", async () => {
    setUp();
    backend.on("connection_state", () => ({ state: "not_connected" }));
    backend.on("bot_state", () => ({
      state: "connected",
      bot: {
        app_id: "b07a1e47-0000-4000-8000-00000000b075",
        app_name: "OX Security Alerts",
        catalog_id: "c-1",
        tenant: "contoso.onmicrosoft.com",
        tenant_id: "t-1",
        cloud_label: "Custom",
        connector_url: "http://127.0.0.1:4000",
        checks: [],
        connected_at: "2026-11-28T10:00:00Z",
        settings_changed: false,
      },
    }));
    const adele = personItem("u2", "Adele Vance", "adele.vance@contoso.com").recipient;
    backend.on("send_message", () => ({ message_id: "m-1", deliveries: [delivery(adele, "Adele Vance", {})] }));
    backend.on("message_deliveries", () => [
      delivery(adele, "Adele Vance", { status: "sent", attempts: 1, identity: "bot", sender: "OX Security Alerts" }),
    ]);
    render(<SendDialog issue={issue(1)} onClose={() => {}} onOpenActivity={() => {}} />);
    const sendAs = await screen.findByTestId("send-as");
    expect(sendAs).toHaveTextContent("OX Security Alerts (bot)");
    expect(within(sendAs).getByLabelText("You (not connected)")).toBeDisabled();
    expect(within(sendAs).getByLabelText("OX Security Alerts (bot)")).toBeChecked();
    expect(screen.queryByTestId("tab-chats")).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId("tab-people"));
    await userEvent.type(screen.getByTestId("people-search"), "ade");
    await userEvent.click(await screen.findByTestId("person-option"));
    await waitFor(() => expect(screen.getByTestId("send-button")).toBeEnabled());
    await userEvent.click(screen.getByTestId("send-button"));
    const sent = backend.calls.find((c) => c.command === "send_message");
    expect((sent?.args as { request: SendRequest }).request.identity).toBe("bot");
    const results = await screen.findAllByTestId("send-result");
    await waitFor(() => expect(nth(results, 0)).toHaveTextContent("Delivered by OX Security Alerts."));
  });
});
