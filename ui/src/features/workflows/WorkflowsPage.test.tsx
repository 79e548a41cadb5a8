import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Workflow } from "../../bindings/Workflow";
import type { WorkflowDefinition } from "../../bindings/WorkflowDefinition";
import { backend, channelItem, fakeTauriModule, nth, personItem } from "../../test/fakeBackend";
import { WorkflowsPage } from "./WorkflowsPage";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

const listing = <T,>(items: T[]) => ({ items, fetched_at: "2026-11-28T10:00:00Z", stale_because: null });

function setUp() {
  const saved: Workflow[] = [];
  backend.on("list_workflows", () => saved);
  backend.on("workflow_match_counts", () => saved.map((w) => ({ workflow_id: w.id, matched: 12_345 })));
  backend.on("bot_state", () => ({ state: "not_connected" }));
  backend.on("list_teams", () => listing([{ id: "t1", name: "Security Operations", description: "" }]));
  backend.on("list_channels", () => listing([channelItem({ id: "t1", name: "Security Operations" }, "c1", "General")]));
  backend.on("search_people", () => listing([personItem("u2", "Adele Vance", "adele.vance@contoso.com")]));
  backend.on("list_chats", () => listing([]));
  backend.on("dry_run_workflow", () => ({
    matched: 2,
    items: [
      { issue_id: "a", title: "Command injection", severity: "critical", recipients: ["Security Operations › General"], already_sent: [], held_until: null, owners: null, mentions: [], notes: [] },
      { issue_id: "b", title: "Hard-coded password", severity: "high", recipients: [], already_sent: ["Security Operations › General"], held_until: null, owners: null, mentions: [], notes: [] },
    ],
    digest: null,
  }));
  backend.on("save_workflow", (args) => {
    const { definition } = args as { definition: WorkflowDefinition };
    const workflow: Workflow = {
      id: "w1",
      definition,
      created_at: "2026-11-28T10:00:00Z",
      updated_at: "2026-11-28T10:00:00Z",
      next_run_at: null,
    };
    saved.push(workflow);
    return { workflow, run: null };
  });
  return saved;
}

/** Recipients: Security Operations › General; fallback: Adele Vance. */
async function chooseGeneralThenAdeleAsFallback() {
  const recipients = screen.getByTestId("workflow-recipients");
  await userEvent.click(within(recipients).getByTestId("team-picker"));
  await userEvent.click(await screen.findByRole("option", { name: "Security Operations" }));
  await userEvent.click(await within(recipients).findByTestId("channel-option"));
  const fallback = screen.getByTestId("workflow-fallback");
  await userEvent.click(within(fallback).getByTestId("tab-people"));
  await userEvent.type(within(fallback).getByTestId("people-search"), "ade");
  await userEvent.click(await within(fallback).findByTestId("person-option"));
}

describe("Workflows", () => {
  beforeEach(() => backend.reset());

  it("creates a workflow: required fields first, a dry run that sends nothing, then it is listed", async () => {
    setUp();
    render(<WorkflowsPage workflowId={null} />);
    await userEvent.click(await screen.findByTestId("new-workflow"));
    const editor = await screen.findByTestId("workflow-editor");

    await userEvent.click(screen.getByTestId("workflow-save"));
    expect(editor).toHaveTextContent("Give the workflow a name.");
    expect(editor).toHaveTextContent("Choose at least one recipient, or message the owners of each finding's file.");
    expect(editor).toHaveTextContent("Choose at least one fallback recipient.");
    expect(backend.calls.some((c) => c.command === "save_workflow")).toBe(false);

    await userEvent.type(screen.getByTestId("workflow-name"), "High to SecOps");
    await userEvent.click(screen.getByTestId("apply-updated_issues"));
    // A change follows the first message unless told otherwise; fixes are announced.
    await userEvent.click(within(screen.getByTestId("workflow-on-change")).getByLabelText("Send a new message"));
    await userEvent.click(screen.getByTestId("workflow-announce-fixes"));
    await chooseGeneralThenAdeleAsFallback();

    await userEvent.click(screen.getByTestId("workflow-dry-run"));
    const dry = await screen.findByTestId("dry-run-result");
    expect(dry).toHaveTextContent("Dry run: 2 issues match now. Nothing was sent.");
    expect(dry).toHaveTextContent("already sent to Security Operations › General");

    await userEvent.click(screen.getByTestId("workflow-save"));
    const call = backend.calls.find((c) => c.command === "save_workflow");
    const definition = (call?.args as { definition: WorkflowDefinition }).definition;
    expect(definition.name).toBe("High to SecOps");
    expect(definition.apply_to).toBe("updated_issues");
    expect(definition.on_change).toBe("new");
    expect(definition.announce_fixes).toBe(false);
    expect(definition.recipients.map((r) => r.kind)).toEqual(["channel"]);
    expect(definition.fallback.map((r) => r.kind)).toEqual(["person"]);
    await waitFor(() => expect(screen.queryByTestId("workflow-editor")).not.toBeInTheDocument());
    const rows = await screen.findAllByTestId("workflow-row");
    expect(nth(rows, 0)).toHaveTextContent("High to SecOps");
    expect(nth(rows, 0)).toHaveTextContent("Updated Issues");
    expect(nth(rows, 0)).toHaveTextContent("Adele Vance");
    // How many open issues it matches now, counted again after the save.
    const matches = within(nth(rows, 0)).getByTestId("workflow-matches");
    await waitFor(() => expect(matches).toHaveTextContent("12,345"));
    expect(matches).toHaveAttribute("title", "12,345 open issues match its conditions now");
  });

  it("a periodic workflow asks when, and shows the core's refusal in its words", async () => {
    setUp();
    backend.on("save_workflow", () => {
      throw { code: "invalid_request", message: "“Mars/Olympus” is not a time zone: use a name such as Europe/Paris." };
    });
    render(<WorkflowsPage workflowId={null} />);
    await userEvent.click(await screen.findByTestId("new-workflow"));
    await userEvent.click(screen.getByTestId("apply-periodic"));
    expect(screen.getByTestId("workflow-schedule")).toHaveTextContent("Time zone");
    expect(screen.getByTestId("workflow-at")).toHaveValue("09:00");
    await userEvent.type(screen.getByTestId("workflow-name"), "Daily digest");
    const recipients = screen.getByTestId("workflow-recipients");
    await userEvent.click(within(recipients).getByTestId("tab-people"));
    await userEvent.type(within(recipients).getByTestId("people-search"), "ade");
    await userEvent.click(await within(recipients).findByTestId("person-option"));
    const fallback = screen.getByTestId("workflow-fallback");
    await userEvent.click(within(fallback).getByTestId("tab-people"));
    await userEvent.type(within(fallback).getByTestId("people-search"), "ade");
    await userEvent.click(await within(fallback).findByTestId("person-option"));
    await act(async () => userEvent.click(screen.getByTestId("workflow-save")));
    expect(await screen.findByTestId("workflow-problem")).toHaveTextContent("is not a time zone");
  });

  it("quiet hours: weeknights by default, the days and the bar can change, and the dry run says what waits", async () => {
    setUp();
    backend.on("dry_run_workflow", () => ({
      matched: 2,
      items: [
        { issue_id: "a", title: "Command injection", severity: "critical", recipients: ["Security Operations › General"], already_sent: [], held_until: null, owners: null, mentions: [], notes: [] },
        { issue_id: "b", title: "Verbose errors", severity: "medium", recipients: ["Security Operations › General"], already_sent: [], held_until: "08:00 Europe/Paris", owners: null, mentions: [], notes: [] },
      ],
      digest: null,
    }));
    render(<WorkflowsPage workflowId={null} />);
    await userEvent.click(await screen.findByTestId("new-workflow"));
    await userEvent.type(screen.getByTestId("workflow-name"), "Nightly triage");
    await userEvent.click(screen.getByTestId("quiet-hours-switch"));
    expect(screen.getByTestId("quiet-day-friday")).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("quiet-day-saturday")).toHaveAttribute("aria-pressed", "false");
    await userEvent.click(screen.getByTestId("quiet-day-saturday"));
    await userEvent.click(screen.getByTestId("quiet-hold-below"));
    await userEvent.click(await screen.findByRole("option", { name: "Critical" }));
    await chooseGeneralThenAdeleAsFallback();

    await userEvent.click(screen.getByTestId("workflow-dry-run"));
    expect(await screen.findByTestId("dry-run-result")).toHaveTextContent(
      "Verbose errors → held for quiet hours, until 08:00 Europe/Paris, then in one digest",
    );
    await userEvent.click(screen.getByTestId("workflow-save"));
    const call = backend.calls.find((c) => c.command === "save_workflow");
    const quiet = (call?.args as { definition: WorkflowDefinition }).definition.quiet_hours;
    expect(quiet).toMatchObject({ start: "20:00", end: "08:00", hold_below: "critical" });
    expect(quiet?.days).toEqual(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]);
  });
});
