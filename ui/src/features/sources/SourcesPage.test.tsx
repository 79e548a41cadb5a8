import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { GitHubDraft } from "../../bindings/GitHubDraft";
import type { Source } from "../../bindings/Source";
import { backend, fakeTauriModule } from "../../test/fakeBackend";
import { SourcesPage } from "./SourcesPage";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

const folder: Source = {
  id: "s1",
  name: "/srv/ci/reports",
  config: { kind: "folder", path: "/srv/ci/reports" },
  interval_secs: 30,
  created_at: "2026-12-01T09:00:00Z",
  last_check: "2026-12-01T10:00:00Z",
  found_at: "2026-12-01T09:58:00Z",
  found: { new: 3, updated: 0, fixed: 1, reopened: 0, suppressed: 0 },
  found_summary: "3 new, 1 fixed",
  next_check: "2026-12-01T10:00:30Z",
  error: null,
  waiting_until: null,
};

const github: Source = {
  id: "s2",
  name: "GitHub · contoso/payments-api",
  config: {
    kind: "github",
    api_url: "https://api.github.com",
    repos: ["contoso/payments-api"],
    org: null,
    kinds: ["code_scanning", "dependabot", "secret_scanning"],
  },
  interval_secs: 300,
  created_at: "2026-12-01T09:00:00Z",
  last_check: "2026-12-01T10:00:00Z",
  found_at: null,
  found: { new: 0, updated: 0, fixed: 0, reopened: 0, suppressed: 0 },
  found_summary: "nothing new",
  next_check: "2026-12-01T10:05:00Z",
  error: {
    code: "forbidden",
    message: "The token may not read Dependabot alerts of contoso/payments-api. Give it the “Dependabot alerts: Read” permission.",
  },
  waiting_until: null,
};

describe("the Sources page", () => {
  beforeEach(() => backend.reset());

  it("says how findings can arrive by themselves when there is no source", async () => {
    backend.on("list_sources", () => []);
    render(<SourcesPage />);
    expect(await screen.findByTestId("sources-empty")).toHaveTextContent("ox-teams-cli import -");
    expect(screen.getByTestId("watch-folder")).toBeInTheDocument();
  });

  it("shows each source's last check, what it found and its problem, and follows the poller", async () => {
    let sources = [folder];
    backend.on("list_sources", () => sources);
    render(<SourcesPage />);
    const card = await screen.findByTestId("source");
    expect(within(card).getByTestId("source-found")).toHaveTextContent("3 new, 1 fixed");
    expect(within(card).getByText(/each once it stops changing/)).toBeInTheDocument();

    sources = [folder, github];
    act(() => backend.emitSourcesChecked({ polls: [], busy: false, next_check: null }));
    expect(await screen.findByTestId("source-error")).toHaveTextContent("Dependabot alerts: Read");
    expect(screen.getAllByTestId("source")).toHaveLength(2);
  });

  it("adds a GitHub source, showing GitHub's refusal in the dialog and the token nowhere else", async () => {
    backend.on("list_sources", () => []);
    const drafts: GitHubDraft[] = [];
    let refuse = true;
    backend.on("add_github_source", (args) => {
      const { draft } = args as { draft: GitHubDraft; token: string };
      drafts.push(draft);
      if (refuse) {
        refuse = false;
        throw { code: "token_rejected", message: "GitHub refused the token for contoso/payments-api: it has expired or was revoked." };
      }
      return github;
    });
    render(<SourcesPage />);
    await userEvent.click(await screen.findByTestId("add-github"));
    const add = screen.getByTestId("github-add");
    expect(add).toBeDisabled();
    await userEvent.type(screen.getByTestId("github-repos"), "contoso/payments-api, contoso/web-portal");
    await userEvent.type(screen.getByTestId("github-token"), "ghp_secret_value");
    await userEvent.click(add);
    expect(await screen.findByTestId("github-problem")).toHaveTextContent("has expired or was revoked");
    await userEvent.click(screen.getByTestId("github-add"));
    expect(await screen.findByTestId("sources-notice")).toHaveTextContent("Added GitHub · contoso/payments-api");
    expect(drafts[1]).toMatchObject({ url: "", repos: ["contoso/payments-api", "contoso/web-portal"], org: null, interval_minutes: 5 });
    expect(document.body.textContent).not.toContain("ghp_secret_value");
  });

  it("asks before it stops watching a source", async () => {
    let sources = [folder];
    backend.on("list_sources", () => sources);
    backend.on("remove_source", () => {
      sources = [];
      return null;
    });
    render(<SourcesPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Stop watching /srv/ci/reports" }));
    expect(screen.getByText(/The folder and its files are not touched/)).toBeInTheDocument();
    await userEvent.click(screen.getByTestId("confirm-remove-source"));
    expect(await screen.findByTestId("sources-notice")).toHaveTextContent("Stopped watching /srv/ci/reports");
    expect(await screen.findByTestId("sources-empty")).toBeInTheDocument();
  });
});
