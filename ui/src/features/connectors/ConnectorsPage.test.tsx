import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { backend, connectedState, defaultSettings, emptyBotSetup, fakeTauriModule, permissionReport, personItem, settingsView } from "../../test/fakeBackend";
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
    await waitFor(() => expect(backend.signInListeners.size).toBeGreaterThan(0));
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

    // An optional permission is offered on its own, with what it adds.
    const optional = await screen.findByTestId("optional-permissions");
    expect(optional).toHaveTextContent("ChannelMessage.Read.All");
    await userEvent.click(within(optional).getByTestId("ask-ChannelMessage.Read.All"));
    await waitFor(() =>
      expect(backend.calls.filter((c) => c.command === "connect").at(-1)?.args).toEqual({ only: ["ChannelMessage.Read.All"] }),
    );
  });

  it("connects the bot: the secret goes to the keychain, consent in the browser, then what was verified", async () => {
    setUp();
    let setup = emptyBotSetup();
    let bot: object = { state: "not_connected" };
    backend.on("bot_setup", () => setup);
    backend.on("bot_state", () => bot);
    backend.on("save_bot_setup", (args) => {
      const draft = (args as { draft: { app_id: string; tenant: string; secret: string | null } }).draft;
      setup = { ...setup, app_id: draft.app_id, tenant: draft.tenant, secret_set: setup.secret_set || draft.secret !== null };
      return setup;
    });
    let finish: (value: unknown) => void = () => undefined;
    backend.on("connect_bot", () => new Promise((resolve) => (finish = resolve)));
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    await userEvent.click(await screen.findByTestId("method-bot"));
    expect(await screen.findByTestId("bot-state")).toHaveTextContent("Not connected");
    expect(screen.getByTestId("bot-secret-state")).toHaveTextContent("Not set");
    expect(screen.getByTestId("bot-connect")).toBeDisabled();
    await userEvent.type(screen.getByTestId("bot-app-id"), "b07a1e47-0000-4000-8000-00000000b075");
    await userEvent.type(screen.getByTestId("bot-tenant"), "contoso.onmicrosoft.com");
    await userEvent.type(screen.getByTestId("bot-secret"), "s3cret");
    await userEvent.click(screen.getByTestId("bot-connect"));
    const saved = backend.calls.find((c) => c.command === "save_bot_setup");
    expect(saved?.args).toEqual({
      draft: { app_id: "b07a1e47-0000-4000-8000-00000000b075", tenant: "contoso.onmicrosoft.com", secret: "s3cret" },
    });
    expect(await screen.findByTestId("bot-state")).toHaveTextContent("Waiting for consent");
    act(() => backend.emitSignInWaiting({ authorize_url: "http://127.0.0.1:4000/t/v2.0/adminconsent?client_id=b07a", browser_problem: null }));
    expect(await screen.findByTestId("sign-in-address")).toHaveValue("http://127.0.0.1:4000/t/v2.0/adminconsent?client_id=b07a");

    bot = {
      state: "connected",
      bot: {
        app_id: "b07a1e47-0000-4000-8000-00000000b075",
        app_name: "OX Security Alerts",
        catalog_id: "c-1",
        tenant: "contoso.onmicrosoft.com",
        tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        cloud_label: "Global (commercial)",
        connector_url: "https://smba.trafficmanager.net/teams",
        checks: [
          { label: "Microsoft Graph token", detail: "Issued to the bot by tenant contoso.onmicrosoft.com.", ok: true },
          { label: "Teams app catalog", detail: "Not published yet: save the app package below.", ok: false },
        ],
        connected_at: "2026-11-28T10:00:00Z",
        settings_changed: false,
      },
    };
    act(() => finish(bot));
    expect(await screen.findByTestId("bot-account")).toHaveTextContent("OX Security Alerts (b07a1e47-0000-4000-8000-00000000b075)");
    expect(screen.getByTestId("bot-state")).toHaveTextContent("Connected");
    expect(screen.getByTestId("bot-checks")).toHaveTextContent("Teams app catalog. Not published yet");
    expect(screen.getByTestId("bot-secret-state")).toHaveTextContent("Set");
    expect(screen.getByTestId("bot-secret")).toHaveValue("");

    backend.on("save_app_package", () => ({
      path: "/home/ana/Downloads/ox-security-alerts-teams-app.zip",
      bytes: 9216,
      app_id: "b07a1e47-0000-4000-8000-00000000b075",
      manifest_version: "1.30",
    }));
    await userEvent.click(screen.getByTestId("save-package"));
    expect(await screen.findByTestId("package-saved")).toHaveTextContent(
      "/home/ana/Downloads/ox-security-alerts-teams-app.zip (9 KB, manifest v1.30)",
    );

    backend.on("search_people", () => ({
      items: [personItem("u2", "Adele Vance", "adele.vance@contoso.com")],
      fetched_at: "2026-11-28T10:00:00Z",
      stale_because: null,
    }));
    backend.on("list_teams", () => ({ items: [], fetched_at: "2026-11-28T10:00:00Z", stale_because: null }));
    backend.on("app_coverage", () => ({
      items: [{ key: "person:u2", label: "Adele Vance", installed: false, problem: null }],
      installed: 0,
      checked: 1,
      summary: "Installed for 0 of 1 recipient",
    }));
    const coverage = screen.getByTestId("app-coverage");
    await userEvent.type(await within(coverage).findByTestId("people-search"), "ade");
    await userEvent.click(await within(coverage).findByTestId("person-option"));
    await userEvent.click(within(coverage).getByTestId("check-coverage"));
    expect(await within(coverage).findByTestId("coverage-summary")).toHaveTextContent("Installed for 0 of 1 recipient");
    expect(within(coverage).getByTestId("coverage-item")).toHaveTextContent("Not installed");
  });

  it("says why the bot did not connect, in the core's words", async () => {
    setUp();
    backend.on("bot_setup", () => ({
      app_id: "b07a1e47-0000-4000-8000-00000000b075",
      tenant: "contoso.onmicrosoft.com",
      secret_set: true,
      cloud_label: "Global (commercial)",
      connector_url: "https://smba.trafficmanager.net/teams",
      teams_admin_center: null,
    }));
    backend.on("bot_state", () => ({ state: "not_connected" }));
    backend.on("connect_bot", () => {
      throw { code: "secret_rejected", message: "Microsoft did not accept the bot's client secret." };
    });
    render(<ConnectorsPage onOpenSettings={() => undefined} />);
    await userEvent.click(await screen.findByTestId("method-bot"));
    await userEvent.click(await screen.findByTestId("bot-connect"));
    expect(await screen.findByTestId("bot-problem")).toHaveTextContent("Microsoft did not accept the bot's client secret.");
    expect(screen.getByTestId("bot-connect")).toBeEnabled();
  });
});
