import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { OwnersView } from "../../bindings/OwnersView";
import type { Recipient } from "../../bindings/Recipient";
import { backend, fakeTauriModule, nth, personItem } from "../../test/fakeBackend";
import { OwnersPage } from "./OwnersPage";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

const adele = personItem("u2", "Adele Vance", "adele.vance@contoso.com", "Security Engineer");

function view(mapped: Recipient | null): OwnersView {
  return {
    location: { kind: "folder", path: "/src/payments" },
    file: "/src/payments/.github/CODEOWNERS",
    problem: null,
    skipped_lines: [{ line: 7, text: "!/vendor/", reason: "Negation (!) is not supported in CODEOWNERS." }],
    owners: [
      {
        owner: "@acme/payments",
        kind: "github_team",
        lines: [2, 5],
        recipient: mapped,
        mapped: mapped !== null,
        status: mapped ? `Mapped to ${mapped.label}` : "No Teams mapping",
      },
      {
        owner: "adele.vance@contoso.com",
        kind: "email",
        lines: [3],
        recipient: adele.recipient,
        mapped: false,
        status: "Adele Vance, found in the directory",
      },
    ],
    unused_mappings: [],
    fetched_at: null,
  };
}

describe("the Owners page", () => {
  beforeEach(() => backend.reset());

  it("shows each owner with where it reaches, and the lines GitHub would skip", async () => {
    backend.on("owners_view", () => view(null));
    backend.on("list_sources", () => []);
    render(<OwnersPage />);
    expect(await screen.findByTestId("owners-file")).toHaveTextContent(
      "Reading /src/payments/.github/CODEOWNERS: 2 owners, 1 not reaching Teams yet.",
    );
    const rows = screen.getAllByTestId("owner-row");
    expect(nth(rows, 0)).toHaveTextContent("@acme/payments");
    expect(nth(rows, 0)).toHaveTextContent("GitHub team");
    expect(nth(rows, 0)).toHaveTextContent("2, 5");
    expect(within(nth(rows, 0)).getByTestId("owner-status")).toHaveTextContent("No Teams mapping");
    expect(within(nth(rows, 1)).getByTestId("owner-status")).toHaveTextContent("Adele Vance, found in the directory");
    expect(screen.getByTestId("owners-skipped")).toHaveTextContent("Line 7: !/vendor/ — Negation (!) is not supported");
  });

  it("maps a GitHub team to the person the directory suggests", async () => {
    backend.on("owners_view", () => view(null));
    backend.on("list_sources", () => []);
    backend.on("owner_suggestions", () => [adele]);
    backend.on("map_owner", (args) => view(args?.recipient as Recipient));
    render(<OwnersPage />);
    const rows = await screen.findAllByTestId("owner-row");
    await userEvent.click(within(nth(rows, 0)).getByTestId("owner-map"));
    await userEvent.click(await screen.findByTestId("owner-suggestion"));
    expect(screen.getByTestId("owner-chosen")).toHaveTextContent("Adele Vance");
    await userEvent.click(screen.getByTestId("owner-save"));
    expect(backend.calls.find((c) => c.command === "owner_suggestions")?.args).toEqual({ owner: "@acme/payments" });
    expect(backend.calls.find((c) => c.command === "map_owner")?.args).toEqual({ owner: "@acme/payments", recipient: adele.recipient });
    expect(await screen.findByText("Mapped to Adele Vance")).toBeInTheDocument();
    expect(screen.getByTestId("owners-file")).toHaveTextContent("2 owners, all reaching Teams.");
  });

  it("says why a typed folder cannot be used, and keeps what was typed", async () => {
    backend.on("owners_view", () => ({ ...view(null), location: null, file: null, owners: [], skipped_lines: [] }));
    backend.on("list_sources", () => []);
    backend.on("set_owners_location", () => {
      throw { code: "not_found", message: "/tmp/nowhere has no CODEOWNERS file: GitHub reads .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS." };
    });
    render(<OwnersPage />);
    await userEvent.type(await screen.findByTestId("owners-location"), "/tmp/nowhere");
    await userEvent.click(screen.getByTestId("owners-use"));
    expect(await screen.findByTestId("owners-problem")).toHaveTextContent("/tmp/nowhere has no CODEOWNERS file");
    expect(screen.getByTestId("owners-location")).toHaveValue("/tmp/nowhere");
    expect(backend.calls.find((c) => c.command === "set_owners_location")?.args).toEqual({
      location: { kind: "folder", path: "/tmp/nowhere" },
    });
  });

  it("reads CODEOWNERS from a repository through a GitHub source", async () => {
    backend.on("owners_view", () => ({ ...view(null), location: null, file: null, owners: [], skipped_lines: [] }));
    backend.on("list_sources", () => [
      {
        id: "s2",
        name: "GitHub · contoso/payments-api",
        config: { kind: "github", api_url: "https://api.github.com", repos: ["contoso/payments-api"], org: null, kinds: ["code_scanning"] },
        interval_secs: 300,
        created_at: "2026-12-01T09:00:00Z",
        last_check: null,
        found_at: null,
        found: { new: 0, updated: 0, fixed: 0, reopened: 0, suppressed: 0 },
        found_summary: "",
        next_check: "2026-12-01T10:05:00Z",
        error: null,
        waiting_until: null,
      },
    ]);
    backend.on("set_owners_location", () => ({
      ...view(null),
      location: { kind: "github", source_id: "s2", repo: "contoso/payments-api" },
      file: "contoso/payments-api › .github/CODEOWNERS on GitHub",
      fetched_at: "2026-12-02T10:00:00Z",
    }));
    render(<OwnersPage />);
    await userEvent.click(await screen.findByTestId("owners-way-github"));
    await userEvent.click(screen.getByTestId("owners-github-source"));
    await userEvent.click(await screen.findByRole("option", { name: "GitHub · contoso/payments-api" }));
    expect(screen.getByTestId("owners-github-repo")).toHaveValue("contoso/payments-api");
    await userEvent.click(screen.getByTestId("owners-github-use"));
    expect(await screen.findByTestId("owners-file")).toHaveTextContent("contoso/payments-api › .github/CODEOWNERS on GitHub (fetched");
    expect(backend.calls.find((c) => c.command === "set_owners_location")?.args).toEqual({
      location: { kind: "github", source_id: "s2", repo: "contoso/payments-api" },
    });
  });
});
