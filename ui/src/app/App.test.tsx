import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { backend, emptyBotSetup, fakeTauriModule, issueBackend, permissionReport, settingsView } from "../test/fakeBackend";
import { CONNECTORS_READS } from "../features/connectors/reads";
import { commands } from "../ipc/commands";
import { readFirst } from "../shared/firstReads";
import { App } from "./App";

vi.mock("../ipc/tauri", () => fakeTauriModule());

/** The window listens for links once its effects have run, a moment after it first paints. */
async function listeningForLinks() {
  await waitFor(() => expect(backend.linkListeners.size).toBe(1));
}

function readyBackend() {
  backend.on("startup", () => ({ state: "ready", version: "0.1.0" }));
  backend.on("take_pending_link", () => null);
  backend.on("get_settings", () => settingsView());
  backend.on("connection_state", () => ({ state: "not_connected" }));
  backend.on("permission_report", () => permissionReport(null));
  backend.on("keychain_status", () => ({ state: "available", backend: "Secret Service" }));
  backend.on("list_deliveries", () => []);
  backend.on("held_messages", () => null);
  backend.on("quiet_holds", () => []);
  backend.on("list_workflows", () => []);
  backend.on("bot_state", () => ({ state: "not_connected" }));
  backend.on("bot_setup", () => emptyBotSetup());

  issueBackend(0);
}

const asked = (command: string) => backend.calls.filter((c) => c.command === command).length;

describe("the app shell", () => {
  beforeEach(() => backend.reset());

  it("opens on the Microsoft Teams connector and moves between pages", async () => {
    readyBackend();
    render(<App />);
    expect(await screen.findByRole("heading", { name: "Microsoft Teams" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("connection-state")).toHaveTextContent("Not connected"));
    expect(await screen.findByText("Team.ReadBasic.All")).toBeInTheDocument();
    expect(screen.getByText("Admin")).toBeInTheDocument();

    // Pages other than the first load when first opened.
    await userEvent.click(screen.getByRole("tab", { name: "Active Issues" }));
    expect(await screen.findByRole("heading", { name: "Active Issues" })).toBeInTheDocument();
    expect(await screen.findByTestId("issues-empty")).toHaveTextContent("No active issues yet");

    await userEvent.click(screen.getByRole("tab", { name: "Workflows" }));
    expect(await screen.findByTestId("workflows-empty")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("tab", { name: "Activity" }));
    expect(await screen.findByTestId("activity-empty")).toBeInTheDocument();
  });

  it("follows an ox-teams:// link handed over at runtime", async () => {
    readyBackend();
    render(<App />);
    await screen.findByRole("heading", { name: "Microsoft Teams" });
    await listeningForLinks();
    act(() => backend.emitLink({ kind: "open", route: { page: "issues", issue_id: "CVE-2024-1" } }));
    expect(await screen.findByTestId("missing-issue")).toHaveTextContent("Issue “CVE-2024-1” is not here");
    expect(screen.getByRole("tab", { name: "Active Issues" })).toHaveAttribute("aria-selected", "true");
  });

  it("opens the page of the link the app was started with", async () => {
    readyBackend();
    backend.on("take_pending_link", () => ({ kind: "open", route: { page: "settings" } }));
    render(<App />);
    expect(await screen.findByRole("heading", { name: "Settings" })).toBeInTheDocument();
  });

  it("says why a link cannot be opened and stays where it was", async () => {
    readyBackend();
    render(<App />);
    await screen.findByRole("heading", { name: "Microsoft Teams" });
    await listeningForLinks();
    act(() =>
      backend.emitLink({
        kind: "rejected",
        message: "The link ox-teams://payroll points to “payroll”, which this app does not have.",
      }),
    );
    expect(await screen.findByText("This link cannot be opened")).toBeInTheDocument();
    // Fluent also repeats a toast in a live region for screen readers.
    expect(screen.getAllByText(/points to “payroll”/).length).toBeGreaterThan(0);
    expect(screen.getByRole("heading", { name: "Microsoft Teams" })).toBeInTheDocument();
  });

  it("shows where the database is when it cannot be opened", async () => {
    backend.on("startup", () => ({
      state: "database_failed",
      error: {
        code: "database_corrupt",
        message: "The file at /data/ox-teams.sqlite3 is not an OX Teams Connector database.",
      },
      data_dir: "/data",
      database_path: "/data/ox-teams.sqlite3",
    }));
    render(<App />);
    expect(await screen.findByTestId("startup-failure")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: /cannot open its database/ })).toBeInTheDocument();
    expect(screen.getByTestId("database-path")).toHaveTextContent("/data/ox-teams.sqlite3");
    await waitFor(() => expect(backend.calls.map((c) => c.command)).not.toContain("get_settings"));
  });
  it("draws its first frame with what it read before, without spinners, asking nothing twice", async () => {
    readyBackend();
    await readFirst([commands.startup, ...CONNECTORS_READS], 1000);
    render(<App />);
    // In the first frame, before any answer could come back:
    expect(screen.queryByText("Starting OX Teams Connector…")).not.toBeInTheDocument();
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Not connected");
    expect(screen.getByText("Team.ReadBasic.All")).toBeInTheDocument();
    await listeningForLinks();
    for (const command of ["startup", "connection_state", "get_settings", "permission_report", "bot_setup", "bot_state"]) {
      expect(asked(command), command).toBe(1);
    }
  });

  it("asks again what did not answer before the first frame, and drops the late answer", async () => {
    readyBackend();
    let reports = 0;
    backend.on("permission_report", async () => {
      reports += 1;
      // The first answer comes after the window has drawn without it.
      if (reports === 1) await new Promise((resolve) => setTimeout(resolve, 150));
      return permissionReport(null);
    });
    await readFirst([commands.startup, ...CONNECTORS_READS], 20);
    render(<App />);
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Not connected");
    expect(await screen.findByText("Team.ReadBasic.All")).toBeInTheDocument();
    expect(asked("permission_report")).toBe(2);
    expect(asked("startup")).toBe(1);

    // The late answer was not kept: the page, opened again, asks afresh.
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    await userEvent.click(screen.getByRole("tab", { name: "Workflows" }));
    expect(await screen.findByTestId("workflows-empty")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("tab", { name: "Connectors" }));
    await waitFor(() => expect(asked("permission_report")).toBe(3));
  });
});
