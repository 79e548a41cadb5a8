import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { ImportReport } from "../../bindings/ImportReport";
import { backend, fakeTauriModule, nth, issueBackend } from "../../test/fakeBackend";
import { IssuesPage } from "./IssuesPage";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

// jsdom has no layout: give the table a window 440 px high, as a small screen would.
const sizes = {
  clientHeight: Object.getOwnPropertyDescriptor(Element.prototype, "clientHeight"),
  clientWidth: Object.getOwnPropertyDescriptor(Element.prototype, "clientWidth"),
};
beforeAll(() => {
  Object.defineProperty(Element.prototype, "clientHeight", { configurable: true, get: () => 440 });
  Object.defineProperty(Element.prototype, "clientWidth", { configurable: true, get: () => 900 });
});
afterAll(() => {
  for (const [name, descriptor] of Object.entries(sizes)) {
    if (descriptor) Object.defineProperty(Element.prototype, name, descriptor);
  }
});

function listCalls() {
  return backend.calls.filter((c) => c.command === "list_issues").map((c) => c.args as { offset: number; filter: { text: string } });
}

describe("Active Issues", () => {
  beforeEach(() => backend.reset());

  it("shows 100,000 issues while rendering and fetching only what is on screen", async () => {
    issueBackend(100_000);
    render(<IssuesPage issueId={null} onOpenActivity={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("issue-count")).toHaveTextContent("100,000 issues"));
    const rows = await screen.findAllByTestId("issue-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]).toHaveTextContent("SQL injection in route 0");
    expect(listCalls().map((c) => c.offset)).toEqual([0]);
  });

  it("searches as the person types, a moment after the last key", async () => {
    issueBackend(300);
    render(<IssuesPage issueId={null} onOpenActivity={() => {}} />);
    await screen.findAllByTestId("issue-row");
    await userEvent.type(screen.getByTestId("issue-search"), "route 12");
    await waitFor(() => expect(screen.getByTestId("issue-count")).toHaveTextContent("11 of 300 issues"));
    const texts = listCalls().map((c) => c.filter.text);
    expect(texts).toContain("route 12");
    expect(texts).not.toContain("r");
  });

  it("shows everything about a selected issue and opens the Send dialog from the Teams button and the menu", async () => {
    issueBackend(3);
    backend.on("preview_send", () => {
      throw { code: "not_connected", message: "Microsoft Teams is not connected." };
    });
    backend.on("list_teams", () => ({ items: [], fetched_at: "2026-11-28T10:00:00Z", stale_because: null }));
    render(<IssuesPage issueId={null} onOpenActivity={() => {}} />);
    const rows = await screen.findAllByTestId("issue-row");
    await userEvent.click(nth(rows, 1));
    const detail = screen.getByTestId("issue-detail");
    expect(within(detail).getByTestId("issue-detail-title")).toHaveTextContent("SQL injection in route 1");
    expect(detail).toHaveTextContent("python.lang.security.audit.eval — Use of eval");
    expect(detail).toHaveTextContent("app/views_1.py:42:5");
    expect(detail).toHaveTextContent("/reports/semgrep.sarif");
    expect(await within(detail).findByText("Not sent to Teams yet.")).toBeInTheDocument();

    await userEvent.click(within(detail).getByTestId("send-to-teams"));
    expect(await screen.findByTestId("send-dialog")).toHaveTextContent("Send message to Teams");
    expect(screen.getByTestId("send-about")).toHaveTextContent("High · SQL injection in route 1");
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByTestId("send-dialog")).not.toBeInTheDocument());

    await userEvent.click(within(nth(rows, 2)).getByTestId("issue-menu"));
    await userEvent.click(await screen.findByTestId("menu-send"));
    expect(await screen.findByTestId("send-about")).toHaveTextContent("SQL injection in route 2");
    await userEvent.click(within(screen.getByTestId("send-dialog")).getByText("Cancel"));
    await waitFor(() => expect(screen.queryByTestId("send-dialog")).not.toBeInTheDocument());

    // As the guide says: right-click, then "Send message to Teams".
    await userEvent.pointer({ keys: "[MouseRight]", target: nth(screen.getAllByTestId("issue-row"), 0) });
    await userEvent.click(await screen.findByTestId("menu-send"));
    expect(await screen.findByTestId("send-about")).toHaveTextContent("SQL injection in route 0");
  });

  it("lists the open issues first; a fixed one says when and why, with its history", async () => {
    issueBackend(4, (n) =>
      n === 3 ? { state: "fixed", state_changed_at: "2026-11-29T09:00:00Z", fixed_by: "/ci/build-2/semgrep.sarif" } : {},
    );
    backend.on("issue_history", () => [
      { revision: 1, at: "2026-11-28T10:00:00Z", kind: "new", changes: [], source: "/ci/build-1/semgrep.sarif" },
      { revision: 2, at: "2026-11-28T12:00:00Z", kind: "updated", changes: ["Severity medium → high"], source: "/ci/build-1/semgrep.sarif" },
      { revision: 2, at: "2026-11-29T09:00:00Z", kind: "fixed", changes: [], source: "/ci/build-2/semgrep.sarif" },
    ]);
    const { rerender } = render(<IssuesPage issueId={null} onOpenActivity={() => {}} />);
    await waitFor(() => expect(screen.getAllByTestId("issue-row")).toHaveLength(3));
    expect(listCalls()[0]?.filter).toMatchObject({ states: ["open"] });
    // The filters' counts are of the open ones too.
    expect(backend.calls.find((c) => c.command === "issue_facets")?.args).toEqual({ states: ["open"] });

    expect(screen.getByTestId("state-filter")).toHaveTextContent("Open");

    // A link (or the State filter) reaches a fixed one; it says when and why, and its history.
    rerender(<IssuesPage issueId="issue-3" onOpenActivity={() => {}} />);
    expect(await screen.findByTestId("issue-detail-status")).toHaveTextContent("Fixed");
    const detail = screen.getByTestId("issue-detail");
    expect(within(detail).getByTestId("issue-state")).toHaveTextContent("the scan in /ci/build-2/semgrep.sarif no longer reports it");
    const history = await within(detail).findByTestId("issue-history");
    expect(history).toHaveTextContent("Fixed");
    expect(history).toHaveTextContent("Severity medium → high");
    expect(history).toHaveTextContent("First reported");
  });

  it("shows each place's conversation and who answered, and filters what nobody acknowledged", async () => {
    issueBackend(3, (n) => (n === 1 ? { acknowledged_at: "2026-11-28T10:42:00Z", acknowledged_by: "Adele Vance" } : {}));
    backend.on("issue_conversations", () => [
      {
        place: "Security › Alerts",
        recipient_key: "channel:t/c",
        identity: "user",
        web_url: "https://teams.example/m1",
        gone: false,
        steps: [
          { delivery_id: "d1", what: "Posted", action: "posted", status: "sent", revision: 1, summary: "High security issue: SQL injection", web_url: "https://teams.example/m1", at: "2026-11-28T10:00:00Z", problem: null },
          { delivery_id: "d2", what: "Replied in the thread", action: "replied", status: "sent", revision: 2, summary: "Updated: SQL injection — Severity high → critical", web_url: null, at: "2026-11-28T12:00:00Z", problem: null },
        ],
        answers: [
          { issue_id: "issue-1", recipient_key: "channel:t/c", answer_id: "a1", kind: "reaction", person: "Adele Vance", content: "👍", at: "2026-11-28T10:42:00Z" },
          { issue_id: "issue-1", recipient_key: "channel:t/c", answer_id: "a2", kind: "reply", person: "Adele Vance", content: "on it", at: "2026-11-28T10:43:00Z" },
        ],
      },
    ]);
    render(<IssuesPage issueId="issue-1" onOpenActivity={() => {}} />);
    const detail = await screen.findByTestId("issue-detail");
    const conversation = await within(detail).findByTestId("conversation");
    expect(conversation).toHaveTextContent("Security › Alerts");
    expect(within(conversation).getAllByTestId("conversation-step").map((s) => s.textContent)).toEqual([
      expect.stringContaining("Posted"),
      expect.stringContaining("Severity high → critical"),
    ]);
    expect(within(conversation).getAllByTestId("conversation-answer").map((a) => a.textContent)).toEqual([
      expect.stringContaining("👍 Adele Vance"),
      expect.stringContaining("Adele Vance replied: on it"),
    ]);
    expect(within(detail).getByTestId("issue-acknowledged-by")).toHaveTextContent("Acknowledged by Adele Vance");
    expect(screen.getAllByTestId("issue-acknowledged")).toHaveLength(1);

    backend.on("read_answers", () => ({ read: 1, new: 0, unreadable_threads: 1 }));
    await userEvent.click(within(detail).getByTestId("check-answers"));
    expect(await within(detail).findByTestId("answers-checked")).toHaveTextContent(
      "No new answers. Channel threads are not read without the optional ChannelMessage.Read.All permission",
    );

    await userEvent.click(screen.getByTestId("unacknowledged-filter"));
    await waitFor(() => expect(listCalls().at(-1)?.filter).toMatchObject({ unacknowledged: true }));
  });

  it("opens the issue an ox-teams:// link names, and says so when it is not here", async () => {
    issueBackend(5);
    const { rerender } = render(<IssuesPage issueId="issue-3" onOpenActivity={() => {}} />);
    expect(await screen.findByTestId("issue-detail-title")).toHaveTextContent("SQL injection in route 3");
    rerender(<IssuesPage issueId="CVE-2024-1" onOpenActivity={() => {}} />);
    expect(await screen.findByTestId("missing-issue")).toHaveTextContent("Issue “CVE-2024-1” is not here");
  });

  it("imports with a progress bar, then says what was imported and which file was refused and why", async () => {
    issueBackend(0);
    let finish: (report: ImportReport) => void = () => {};
    backend.on("choose_and_import", () => new Promise<ImportReport>((resolve) => (finish = resolve)));
    render(<IssuesPage issueId={null} onOpenActivity={() => {}} />);
    expect(await screen.findByTestId("issues-empty")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Import findings" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "SARIF or JSON files…" }));
    await waitFor(() => expect(backend.importListeners.size).toBe(1));
    act(() =>
      backend.emitImportProgress({ file: "/r/eslint-large.sarif", file_index: 1, file_count: 2, bytes_read: 512, bytes_total: 1024 }),
    );
    expect(await screen.findByTestId("import-progress")).toHaveTextContent("Reading eslint-large.sarif (2 of 2) — 50 %");

    issueBackend(3);
    await act(async () =>
      finish({
        files: [
          {
            outcome: "imported",
            file: "/r/eslint-large.sarif",
            format: "SARIF 2.1.0",
            findings: 3,
            new: ["a", "b", "c"],
            updated: [],
            existing: [],
            reopened: [],
            fixed: ["d", "e"],
            suppressed: [],
          },
          { outcome: "refused", file: "/r/broken.sarif", code: "invalid_findings", problem: "“results” must be a list, not 42." },
        ],
        new: 3,
        updated: 0,
        existing: 0,
        reopened: 0,
        fixed: 2,
        suppressed: 0,
        refused: 1,
        cancelled: false,
      }),
    );
    const result = await screen.findByTestId("import-result");
    expect(result).toHaveTextContent("1 file imported: 3 new, 0 updated, 0 unchanged, 2 fixed.");
    expect(result).toHaveTextContent("broken.sarif was not imported: “results” must be a list, not 42.");
    expect(await screen.findAllByTestId("issue-row")).toHaveLength(3);
  });
});
