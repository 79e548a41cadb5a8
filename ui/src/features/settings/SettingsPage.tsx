import {
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Spinner,
  Subtitle1,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { FolderOpen20Regular, KeyMultiple20Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";

import type { Cloud } from "../../bindings/Cloud";
import type { FieldProblem } from "../../bindings/FieldProblem";
import type { SettingKey } from "../../bindings/SettingKey";
import type { Settings } from "../../bindings/Settings";
import type { SettingsView } from "../../bindings/SettingsView";
import type { SignInRedirect } from "../../bindings/SignInRedirect";
import { commands } from "../../ipc/commands";
import { Loading } from "../../shared/Loading";
import { PageHeader } from "../../shared/PageHeader";
import { useCommand } from "../../shared/useCommand";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXL, maxWidth: "720px" },
  group: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  endpoints: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  term: { color: tokens.colorNeutralForeground3 },
  url: { margin: 0, fontFamily: tokens.fontFamilyMonospace, overflowWrap: "anywhere" },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "end" },
  grow: { flexGrow: 1 },
  actions: {
    position: "sticky",
    bottom: 0,
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
    padding: `${tokens.spacingVerticalM} 0`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
});

type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "failed"; message: string };

export function SettingsPage() {
  const loaded = useCommand(commands.getSettings);
  if (loaded.state === "loading") return <Loading label="Loading settings…" />;
  if (loaded.state === "failed") {
    return (
      <MessageBar layout="multiline" intent="error">
        <MessageBarBody>{loaded.message}</MessageBarBody>
      </MessageBar>
    );
  }
  return <SettingsForm initial={loaded.data} />;
}

function SettingsForm(props: { initial: SettingsView }) {
  const styles = useStyles();
  const [view, setView] = useState(props.initial);
  const [draft, setDraft] = useState<Settings>(props.initial.settings);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [save, setSave] = useState<SaveState>({ kind: "idle" });
  const dirty = JSON.stringify(draft) !== JSON.stringify(view.settings);

  // Check as the person types (after a short pause), with the same rules the save applies.
  useEffect(() => {
    if (!dirty) return;
    let current = true;
    const timer = window.setTimeout(() => {
      commands.checkSettings(draft).then((found) => current && setProblems(found), () => undefined);
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [draft, dirty]);

  const update = (key: keyof Settings, value: string) => {
    setDraft((previous) => ({ ...previous, [key]: value }));
    setSave({ kind: "idle" });
  };
  // Unsaved changes show their own problems; otherwise the saved values the app refused to use.
  const shown = dirty ? problems : view.refused;
  const problemFor = (field: SettingKey) => shown.find((p) => p.field === field)?.message;
  const fieldProps = (field: SettingKey) => {
    const message = problemFor(field);
    return message
      ? { validationState: "error" as const, validationMessage: message }
      : { validationState: "none" as const };
  };

  const onSave = async () => {
    setSave({ kind: "saving" });
    try {
      const outcome = await commands.saveSettings(draft);
      if (outcome.outcome === "saved") {
        setView(outcome.view);
        setDraft(outcome.view.settings);
        setProblems([]);
        setSave({ kind: "saved" });
      } else {
        setProblems(outcome.problems);
        setSave({ kind: "failed", message: "Nothing was saved. Correct the fields marked in red." });
      }
    } catch (error) {
      setSave({ kind: "failed", message: (error as Error).message });
    }
  };

  const preset = view.clouds.find((option) => option.cloud === draft.cloud)?.endpoints ?? null;

  return (
    <>
      <PageHeader
        title="Settings"
        description="Which Microsoft cloud, tenant and app registration OX Teams Connector uses, and how it opens the browser for sign-in."
      />
      {view.refused.length > 0 && (
        <MessageBar layout="multiline" intent="warning" data-testid="settings-refused">
          <MessageBarBody>
            <MessageBarTitle>Some saved settings are not used</MessageBarTitle>
            The database holds values that would be refused if typed now, perhaps because the file was edited
            outside the app. The defaults stand in for the fields marked below until you save this page.
          </MessageBarBody>
        </MessageBar>
      )}
      <form
        className={styles.form}
        onSubmit={(event) => {
          event.preventDefault();
          void onSave();
        }}
      >
        <section className={styles.group} aria-labelledby="microsoft-heading">
          <Subtitle1 as="h2" id="microsoft-heading">
            Microsoft
          </Subtitle1>
          <Field label="Cloud" hint="National clouds have their own sign-in, Graph and Bot Connector addresses.">
            <Select
              data-testid="setting-cloud"
              value={draft.cloud}
              onChange={(_, data) => update("cloud", data.value as Cloud)}
            >
              {view.clouds.map((option) => (
                <option key={option.cloud} value={option.cloud}>
                  {option.label}
                </option>
              ))}
            </Select>
          </Field>
          {preset ? (
            <dl className={styles.endpoints} aria-label="Addresses of this cloud" data-testid="cloud-endpoints">
              <dt className={styles.term}>Sign-in</dt>
              <dd className={styles.url}>{preset.authority}</dd>
              <dt className={styles.term}>Microsoft Graph</dt>
              <dd className={styles.url}>{preset.graph}</dd>
              <dt className={styles.term}>Bot Connector</dt>
              <dd className={styles.url}>{preset.bot_connector ?? "taken from each conversation"}</dd>
            </dl>
          ) : (
            <>
              <Field label="Sign-in (authority) URL" required {...fieldProps("authority_url")}>
                <Input
                  data-testid="setting-authority-url"
                  value={draft.authority_url}
                  placeholder="https://login.microsoftonline.com"
                  onChange={(_, data) => update("authority_url", data.value)}
                />
              </Field>
              <Field label="Microsoft Graph URL" required {...fieldProps("graph_url")}>
                <Input
                  data-testid="setting-graph-url"
                  value={draft.graph_url}
                  placeholder="https://graph.microsoft.com"
                  onChange={(_, data) => update("graph_url", data.value)}
                />
              </Field>
              <Field
                label="Bot Connector URL"
                hint="Optional. Without it, the bot uses the service URL of each conversation."
                {...fieldProps("bot_url")}
              >
                <Input
                  data-testid="setting-bot-url"
                  value={draft.bot_url}
                  placeholder="https://smba.trafficmanager.net/teams"
                  onChange={(_, data) => update("bot_url", data.value)}
                />
              </Field>
            </>
          )}
          <Field
            label="Tenant"
            hint="organizations, your tenant ID, or your tenant's domain (such as contoso.onmicrosoft.com)."
            {...fieldProps("tenant")}
          >
            <Input
              data-testid="setting-tenant"
              value={draft.tenant}
              onChange={(_, data) => update("tenant", data.value)}
            />
          </Field>
          <Field
            label="Application (client) ID"
            hint="From Entra admin center › App registrations › your app › Overview."
            {...fieldProps("client_id")}
          >
            <Input
              data-testid="setting-client-id"
              value={draft.client_id}
              placeholder="00000000-0000-0000-0000-000000000000"
              onChange={(_, data) => update("client_id", data.value)}
            />
          </Field>
        </section>

        <section className={styles.group} aria-labelledby="signin-heading">
          <Subtitle1 as="h2" id="signin-heading">
            Sign-in
          </Subtitle1>
          <Field
            label="Browser command"
            hint="Leave empty to use your default browser. Otherwise the sign-in address is added as the last argument, e.g. firefox --private-window."
            {...fieldProps("browser_command")}
          >
            <Input
              data-testid="setting-browser-command"
              value={draft.browser_command}
              placeholder="Default browser"
              onChange={(_, data) => update("browser_command", data.value)}
            />
          </Field>
          <Field
            label="Sign-in redirect"
            hint="Where the browser returns after sign-in. Keep the loopback address unless your app registration uses the ox-teams:// scheme."
          >
            <Select
              data-testid="setting-sign-in-redirect"
              value={draft.sign_in_redirect}
              onChange={(_, data) => setDraft((previous) => ({ ...previous, sign_in_redirect: data.value as SignInRedirect }))}
            >
              <option value="loopback">http://localhost (loopback, recommended)</option>
              <option value="custom_scheme">ox-teams://auth/callback (custom scheme)</option>
            </Select>
          </Field>
          <KeychainState />
        </section>

        <section className={styles.group} aria-labelledby="data-heading">
          <Subtitle1 as="h2" id="data-heading">
            Data
          </Subtitle1>
          <div className={styles.row}>
            <Field label="Data folder" hint="Issues, workflows and the delivery log. Shared with ox-teams-cli." className={styles.grow}>
              <Input data-testid="setting-data-dir" value={view.data_dir} readOnly />
            </Field>
            <Button icon={<FolderOpen20Regular />} onClick={() => void commands.openDataFolder()}>
              Open
            </Button>
          </div>
          <Caption1>OX Teams Connector {view.version}</Caption1>
        </section>

        <div className={styles.actions}>
          <Button appearance="primary" type="submit" disabled={!dirty || save.kind === "saving"} data-testid="settings-save">
            Save
          </Button>
          <Button
            disabled={!dirty || save.kind === "saving"}
            onClick={() => {
              setDraft(view.settings);
              setSave({ kind: "idle" });
            }}
          >
            Discard changes
          </Button>
          {save.kind === "saving" && <Spinner size="tiny" label="Saving…" />}
          {save.kind === "saved" && (
            <MessageBar intent="success" data-testid="settings-saved">
              <MessageBarBody>Settings saved.</MessageBarBody>
            </MessageBar>
          )}
          {save.kind === "failed" && (
            <MessageBar layout="multiline" intent="error" data-testid="settings-failed">
              <MessageBarBody>{save.message}</MessageBarBody>
            </MessageBar>
          )}
        </div>
      </form>
    </>
  );
}

function KeychainState() {
  const status = useCommand(commands.keychainStatus);
  if (status.state === "loading") return <Loading size="tiny" label="Checking the OS keychain…" />;
  const problem =
    status.state === "failed"
      ? status.message
      : status.data.state === "unavailable"
        ? status.data.message
        : null;
  if (problem !== null || status.state !== "ready" || status.data.state !== "available") {
    return (
      <MessageBar layout="multiline" intent="warning" data-testid="keychain-status" icon={<KeyMultiple20Regular />}>
        <MessageBarBody>
          <MessageBarTitle>Sign-in secrets cannot be kept</MessageBarTitle>
          {problem}
        </MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <MessageBar layout="multiline" intent="success" data-testid="keychain-status" icon={<KeyMultiple20Regular />}>
      <MessageBarBody>
        <MessageBarTitle>Secrets stay in the OS keychain</MessageBarTitle>
        Refresh tokens and the bot's client secret are kept in {status.data.backend}, never in the
        data folder.
      </MessageBarBody>
    </MessageBar>
  );
}
