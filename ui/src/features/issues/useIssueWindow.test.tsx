import { act, renderHook, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { backend, fakeTauriModule, issueBackend } from "../../test/fakeBackend";
import { OPEN_ISSUES } from "./IssueFilters";
import { PAGE_SIZE, useIssueWindow } from "./useIssueWindow";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

const calls = () =>
  backend.calls
    .filter((c) => c.command === "list_issues" || c.command === "list_issues_after")
    .map((c) => {
      const args = c.args as { offset?: number; afterId?: string };
      return c.command === "list_issues" ? `offset ${args.offset}` : `after ${args.afterId}`;
    });

describe("the issue table's pages", () => {
  beforeEach(() => backend.reset());

  it("asks for the page after the last row it holds when scrolled down, and by position when jumped to", async () => {
    issueBackend(10_000);
    const { result } = renderHook(() => useIssueWindow(OPEN_ISSUES, 0));
    await waitFor(() => expect(result.current.total).toBe(10_000));

    act(() => result.current.ensure(PAGE_SIZE - 5, PAGE_SIZE + 5));
    await waitFor(() => expect(result.current.rowAt(PAGE_SIZE)?.id).toBe(`issue-${PAGE_SIZE}`));
    act(() => result.current.ensure(9_000, 9_010));
    await waitFor(() => expect(result.current.rowAt(9_005)?.id).toBe("issue-9005"));

    expect(calls()).toEqual(["offset 0", `after issue-${PAGE_SIZE - 1}`, "offset 9000"]);
  });

  it("asks by position when the row it would continue from is gone", async () => {
    const all = issueBackend(1_000);
    const { result } = renderHook(() => useIssueWindow(OPEN_ISSUES, 0));
    await waitFor(() => expect(result.current.total).toBe(1_000));
    // Deleted between the two pages: the backend no longer knows the last row.
    all.splice(PAGE_SIZE - 1, 1);

    act(() => result.current.ensure(PAGE_SIZE, PAGE_SIZE));
    await waitFor(() => expect(result.current.rowAt(PAGE_SIZE)).toBeDefined());
    expect(calls()).toEqual(["offset 0", `after issue-${PAGE_SIZE - 1}`, `offset ${PAGE_SIZE}`]);
    expect(result.current.failure).toBeNull();
  });
});
