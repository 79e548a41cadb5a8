import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { backend, connectedState, defaultSettings, fakeTauriModule, permissionReport, settingsView } from "../../test/fakeBackend";
import { ConnectorsPage } from "./ConnectorsPage";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

function setUp(state = { state: "not_connected" } as object) {
  backend.on("get_settings", () => settingsView({ ...defaultSettings, client_id: "3fa85f64-5717-4562-b3fc-2c963f66afa6" }));
  backend.on("connection_state", () => state);
  backend.on("check_connection", () => state);
  backend.on("permission_report", () => permissionReport(state === connectedState ? true : null));
}

describe("the Microsoft Teams connector", () => {
  beforeEach(() => backend.reset());

  it("connects: waiting for the browser with the address and Cancel, then who is connected", async () => {
    setUp();
    let finish: (value: unknown) => void = () => undefined;
    backend.on("connect", () => new Promise((resolve) => (finish = resolve)));
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    await userEvent.click(await screen.findByTestId("connect"));
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Waiting for the browser");
    await waitFor(() => expect(backend.signInListeners.size).toBe(1));
    act(() => backend.emitSignInWaiting({ authorize_url: "http://127.0.0.1:4000/contoso/oauth2/v2.0/authorize?x=1", browser_problem: null }));
    expect(await screen.findByTestId("sign-in-address")).toHaveValue("http://127.0.0.1:4000/contoso/oauth2/v2.0/authorize?x=1");
    expect(screen.getByTestId("cancel-connect")).toBeEnabled();

    backend.on("permission_report", () => permissionReport(true));
    act(() => finish(connectedState));
    expect(await screen.findByTestId("connected-account")).toHaveTextContent("Megan Bowen (megan.bowen@contoso.onmicrosoft.com)");
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Connected");
    expect(await screen.findByTestId("permissions-summary")).toHaveTextContent("2 of 2 granted");
  });

  it("says why connecting failed, in the core's words", async () => {
    setUp();
    backend.on("connect", () => {
      throw { code: "consent_declined", message: "You declined the permissions, so OX Teams Connector is not connected." };
    });
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    await userEvent.click(await screen.findByTestId("connect"));
    expect(await screen.findByTestId("connection-problem")).toHaveTextContent("You declined the permissions");
    expect(screen.getByTestId("connect")).toBeEnabled();
  });

  it("a cancelled sign-in is not an error", async () => {
    setUp();
    backend.on("connect", () => {
      throw { code: "sign_in_cancelled", message: "Sign-in was cancelled." };
    });
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    await userEvent.click(await screen.findByTestId("connect"));
    await waitFor(() => expect(screen.getByTestId("connection-state")).toHaveTextContent("Not connected"));
    expect(screen.queryByTestId("connection-problem")).not.toBeInTheDocument();
  });

  it("shows a lost grant as reconnect needed, with the reason and a way back", async () => {
    const lost = { ...connectedState, state: "reconnect_needed", code: "grant_expired", reason: "Microsoft no longer accepts this connection: the grant was revoked.", since: "2026-11-28T11:00:00Z" };
    setUp(lost);
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    expect(await screen.findByTestId("reconnect-reason")).toHaveTextContent("the grant was revoked");
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Reconnect needed");
    expect(screen.getByTestId("reconnect")).toBeEnabled();
  });

  it("checks a known connection with Microsoft when the page opens", async () => {
    setUp(connectedState);
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    expect(await screen.findByTestId("connected-account")).toBeInTheDocument();
    await waitFor(() => expect(backend.calls.map((c) => c.command)).toContain("check_connection"));
  });

  it("asks for just the missing permissions", async () => {
    setUp(connectedState);
    backend.on("permission_report", () => permissionReport(false));
    backend.on("connect", () => connectedState);
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    await userEvent.click(await screen.findByTestId("ask-missing"));
    const call = backend.calls.find((c) => c.command === "connect");
    expect(call?.args).toEqual({ only: ["ChannelMessage.Send", "Team.ReadBasic.All"] });
  });
});
