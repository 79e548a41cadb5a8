import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Settings } from "../../bindings/Settings";
import { backend, defaultSettings, fakeTauriModule, settingsView } from "../../test/fakeBackend";
import { SettingsPage } from "./SettingsPage";

vi.mock("../../ipc/tauri", () => fakeTauriModule());

const TENANT_PROBLEM = "“contoso” is neither a tenant ID nor a domain.";

function fakeRules(draft: Settings) {
  return draft.tenant === "contoso" ? [{ field: "tenant", message: TENANT_PROBLEM }] : [];
}

describe("Settings", () => {
  beforeEach(() => {
    backend.reset();
    backend.on("get_settings", () => settingsView());
    backend.on("keychain_status", () => ({ state: "available", backend: "Secret Service" }));
    backend.on("check_settings", (args) => fakeRules(args?.draft as Settings));
  });

  it("shows the core's message next to a field as the person types", async () => {
    render(<SettingsPage />);
    const tenant = await screen.findByTestId("setting-tenant");
    await userEvent.clear(tenant);
    await userEvent.type(tenant, "contoso");
    expect(await screen.findByText(TENANT_PROBLEM)).toBeInTheDocument();
    expect(tenant).toHaveAttribute("aria-invalid", "true");
  });

  it("saves a valid change and says so", async () => {
    backend.on("save_settings", (args) => ({
      outcome: "saved",
      view: settingsView(args?.draft as Settings),
    }));
    render(<SettingsPage />);
    const save = await screen.findByTestId("settings-save");
    expect(save).toBeDisabled();
    const tenant = screen.getByTestId("setting-tenant");
    await userEvent.clear(tenant);
    await userEvent.type(tenant, "contoso.onmicrosoft.com");
    await userEvent.click(save);
    expect(await screen.findByTestId("settings-saved")).toHaveTextContent("Settings saved.");
    const saved = backend.calls.find((c) => c.command === "save_settings");
    expect(saved?.args).toEqual({ draft: { ...defaultSettings, tenant: "contoso.onmicrosoft.com" } });
    await waitFor(() => expect(save).toBeDisabled());
  });

  it("keeps the draft and marks the fields when the core refuses it", async () => {
    backend.on("save_settings", (args) => ({ outcome: "invalid", problems: fakeRules(args?.draft as Settings) }));
    render(<SettingsPage />);
    const tenant = await screen.findByTestId("setting-tenant");
    await userEvent.clear(tenant);
    await userEvent.type(tenant, "contoso");
    await userEvent.click(screen.getByTestId("settings-save"));
    expect(await screen.findByTestId("settings-failed")).toHaveTextContent("Nothing was saved");
    expect(screen.getByText(TENANT_PROBLEM)).toBeInTheDocument();
    expect(tenant).toHaveValue("contoso");
  });

  it("shows the cloud's addresses, and asks for them for a custom cloud", async () => {
    render(<SettingsPage />);
    expect(await screen.findByTestId("cloud-endpoints")).toHaveTextContent("https://graph.microsoft.com");
    await userEvent.selectOptions(screen.getByTestId("setting-cloud"), "custom");
    expect(screen.queryByTestId("cloud-endpoints")).not.toBeInTheDocument();
    expect(screen.getByTestId("setting-authority-url")).toBeInTheDocument();
    expect(screen.getByTestId("setting-graph-url")).toBeInTheDocument();
  });

  it("warns when no keychain can keep secrets, with the core's instructions", async () => {
    backend.on("keychain_status", () => ({
      state: "unavailable",
      code: "keychain_unavailable",
      message: "No OS keychain is reachable. Install GNOME Keyring (sudo apt install gnome-keyring).",
    }));
    render(<SettingsPage />);
    expect(await screen.findByTestId("keychain-status")).toHaveTextContent("sudo apt install gnome-keyring");
  });
});
