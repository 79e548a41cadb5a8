import { useCallback, useEffect, useRef, useState } from "react";

import type { Issue } from "../../bindings/Issue";
import type { IssueFilter } from "../../bindings/IssueFilter";
import { commands } from "../../ipc/commands";

/** Rows are fetched a page at a time, as the table scrolls to them. */
export const PAGE_SIZE = 200;

export interface IssueWindow {
  /** How many issues match, or null before the first answer. */
  total: number | null;
  /** The issue at a row, or undefined while its page loads. */
  rowAt: (index: number) => Issue | undefined;
  /** Asks for the pages covering these rows. */
  ensure: (first: number, last: number) => void;
  failure: string | null;
}

/**
 * The filtered list, held as pages loaded on demand, so 100,000 issues cost only what is on
 * screen. A new filter or `generation` (after an import) starts again.
 */
export function useIssueWindow(filter: IssueFilter, generation: number): IssueWindow {
  const [total, setTotal] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [, setVersion] = useState(0);
  const pages = useRef(new Map<number, Issue[]>());
  const pending = useRef(new Set<number>());
  const epoch = useRef(0);

  const load = useCallback(
    (page: number) => {
      if (pages.current.has(page) || pending.current.has(page)) return;
      pending.current.add(page);
      const mine = epoch.current;
      // Scrolling down: the page after the last row held is a seek, as fast at row 100,000 as
      // at the top. A jump (or a row gone since) asks by position.
      const above = pages.current.get(page - 1);
      const lastAbove = above?.length === PAGE_SIZE ? above[PAGE_SIZE - 1] : undefined;
      const byPosition = () =>
        commands.listIssues(filter, page * PAGE_SIZE, PAGE_SIZE).then((result) => {
          if (mine === epoch.current) setTotal(result.total);
          return result.issues;
        });
      const request = lastAbove ? commands.listIssuesAfter(filter, lastAbove.id, PAGE_SIZE).catch(byPosition) : byPosition();
      request.then(
        (issues) => {
          if (mine !== epoch.current) return;
          pending.current.delete(page);
          pages.current.set(page, issues);
          setFailure(null);
          setVersion((v) => v + 1);
        },
        (error: Error) => {
          if (mine !== epoch.current) return;
          pending.current.delete(page);
          setFailure(error.message);
        },
      );
    },
    [filter],
  );

  useEffect(() => {
    epoch.current += 1;
    pages.current = new Map();
    pending.current = new Set();
    load(0);
  }, [load, generation]);

  const rowAt = useCallback((index: number) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);
  const ensure = useCallback(
    (first: number, last: number) => {
      for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) load(page);
    },
    [load],
  );
  return { total, rowAt, ensure, failure };
}
