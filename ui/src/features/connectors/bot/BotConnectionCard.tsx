import {
  Badge,
  Body1,
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowSync20Regular,
  CheckmarkCircle16Filled,
  Settings20Regular,
  Warning16Filled,
} from "@fluentui/react-icons";
import { useState } from "react";

import type { BotAccount } from "../../../bindings/BotAccount";
import type { BotSetup } from "../../../bindings/BotSetup";
import type { BotState } from "../../../bindings/BotState";
import type { BotSetupDraft } from "../../../bindings/BotSetupDraft";
import { DisconnectButton } from "../DisconnectButton";
import { Waiting } from "../Waiting";
import { Loading } from "../../../shared/Loading";
import type { Bot } from "./useBot";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  form: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(260px, 1fr))",
    gap: tokens.spacingHorizontalL,
    alignItems: "start",
  },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: "anywhere" },
  checks: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  check: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "baseline" },
  ok: { color: tokens.colorPaletteGreenForeground1, flexShrink: 0, alignSelf: "center" },
  warn: { color: tokens.colorPaletteMarigoldForeground1, flexShrink: 0, alignSelf: "center" },
});

type BadgeColor = "informative" | "success" | "danger" | "brand";

export function BotBadge(props: { bot: Bot }) {
  const { bot } = props;
  let [text, color]: [string, BadgeColor] = ["Checking…", "informative"];
  if (bot.phase === "waiting") [text, color] = ["Waiting for consent", "brand"];
  else if (bot.state?.state === "not_connected") [text, color] = ["Not connected", "informative"];
  else if (bot.state?.state === "connected") [text, color] = ["Connected", "success"];
  else if (bot.state?.state === "reconnect_needed") [text, color] = ["Reconnect needed", "danger"];
  return (
    <Badge appearance="tint" color={color} size="large" data-testid="bot-state">
      {text}
    </Badge>
  );
}

/** The bot's application, tenant and secret; CONNECT runs the administrator's consent. */
export function BotConnectionCard(props: { bot: Bot }) {
  const { bot } = props;
  if (bot.setup === null || bot.state === null) {
    return bot.problem ? (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>{bot.problem}</MessageBarBody>
      </MessageBar>
    ) : (
      <Loading size="small" label="Reading the bot's setup…" />
    );
  }
  if (bot.phase === "waiting") {
    return (
      <Waiting
        waiting={bot.waiting}
        onCancel={bot.cancel}
        instruction="Waiting for the administrator… Sign in with a Global Administrator (or Privileged Role or Cloud Application Administrator) account in the browser window that opened and select Accept; the app then checks the bot."
      />
    );
  }
  // Keyed by revision: the fields start again from what is stored after each save or connect.
  return <BotSetupForm key={bot.revision} bot={bot} setup={bot.setup} state={bot.state} />;
}

function BotSetupForm(props: { bot: Bot; setup: BotSetup; state: BotState }) {
  const styles = useStyles();
  const { bot, setup, state } = props;
  const { phase } = bot;
  const [appId, setAppId] = useState(setup.app_id);
  const [tenant, setTenant] = useState(setup.tenant);
  const [secret, setSecret] = useState("");

  const draft: BotSetupDraft = { app_id: appId, tenant, secret: secret === "" ? null : secret };
  const dirty = appId.trim().toLowerCase() !== setup.app_id || tenant.trim() !== setup.tenant || secret !== "";
  const ready = appId.trim() !== "" && tenant.trim() !== "" && (setup.secret_set || secret !== "");
  const busy = phase !== "idle";
  const connected = state.state === "connected" || state.state === "reconnect_needed";

  return (
    <div className={styles.root} data-testid="bot-connection">
      {bot.problem && (
        <MessageBar intent="error" layout="multiline" data-testid="bot-problem">
          <MessageBarBody>
            <MessageBarTitle>The bot is not connected</MessageBarTitle>
            {bot.problem}
          </MessageBarBody>
        </MessageBar>
      )}
      {state.state === "reconnect_needed" && (
        <MessageBar intent="error" layout="multiline" data-testid="bot-reconnect-reason">
          <MessageBarBody>
            <MessageBarTitle>The bot needs reconnecting</MessageBarTitle>
            {state.reason} Messages waiting for the bot are kept until then.
          </MessageBarBody>
        </MessageBar>
      )}
      {state.state === "connected" && state.bot.settings_changed && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            The application, tenant or cloud changed since the bot connected. It keeps using the old
            ones until you select CONNECT again.
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.form}>
        <Field label="Application (client) ID" hint="Entra admin center › App registrations › the bot › Overview." required>
          <Input
            value={appId}
            onChange={(_, data) => setAppId(data.value)}
            placeholder="3fa85f64-5717-4562-b3fc-2c963f66afa6"
            data-testid="bot-app-id"
          />
        </Field>
        <Field label="Tenant" hint="The bot's tenant ID or a verified domain (contoso.onmicrosoft.com)." required>
          <Input value={tenant} onChange={(_, data) => setTenant(data.value)} data-testid="bot-tenant" />
        </Field>
        <Field
          label={
            <>
              Client secret{" "}
              <Badge appearance="outline" size="small" color={setup.secret_set ? "success" : "informative"} data-testid="bot-secret-state">
                {setup.secret_set ? "Set" : "Not set"}
              </Badge>
            </>
          }
          hint="Kept only in your OS keychain and never shown again. Paste the secret's Value, not its ID."
          required={!setup.secret_set}
        >
          <Input
            type="password"
            value={secret}
            onChange={(_, data) => setSecret(data.value)}
            placeholder={setup.secret_set ? "Saved — type a new one to replace it" : "Paste the client secret"}
            autoComplete="off"
            data-testid="bot-secret"
          />
        </Field>
      </div>
      <div className={styles.actions}>
        {(!connected || dirty || state.state === "reconnect_needed" || state.bot.settings_changed) && (
          <Button appearance="primary" disabled={busy || !ready} onClick={() => bot.connect(dirty ? draft : null)} data-testid="bot-connect">
            {connected ? "Reconnect" : "CONNECT"}
          </Button>
        )}
        {dirty && (
          <Button disabled={busy} onClick={() => void bot.save(draft)} data-testid="bot-save">
            {phase === "saving" ? "Saving…" : "Save"}
          </Button>
        )}
        {connected && (
          <Button icon={<ArrowSync20Regular />} disabled={busy} onClick={bot.check} data-testid="bot-check">
            {phase === "checking" ? "Checking…" : "Check again"}
          </Button>
        )}
        {connected && (
          <DisconnectButton
            busy={phase === "disconnecting"}
            onConfirm={() => bot.disconnect(false)}
            title="Disconnect the bot?"
            text="The app forgets the bot's connection. Its client secret stays in your keychain for the next CONNECT, and messages waiting for the bot are kept until then."
          />
        )}
      </div>
      {!ready && !connected && (
        <Caption1 className={styles.muted}>Fill in the application ID, the tenant and the client secret to connect.</Caption1>
      )}
      {connected && <Verified account={state.bot} />}
    </div>
  );
}

/** Where the bot connects: the cloud (shared with the Identity provider) and its Bot Connector. */
export function BotCloudSummary(props: { bot: Bot; onOpenSettings: () => void }) {
  const styles = useStyles();
  const { setup } = props.bot;
  if (setup === null) return null;
  return (
    <div className={styles.root}>
      <dl className={styles.facts} data-testid="bot-cloud">
        <dt className={styles.term}>Cloud</dt>
        <dd className={styles.value}>{setup.cloud_label}</dd>
        <dt className={styles.term}>Bot Connector</dt>
        <dd className={styles.value}>{setup.connector_url ?? <span className={styles.muted}>none for this cloud</span>}</dd>
        <dt className={styles.term}>Admin consent</dt>
        <dd className={styles.value}>In the browser, by a Global Administrator</dd>
      </dl>
      <div>
        <Button icon={<Settings20Regular />} onClick={props.onOpenSettings}>
          Change the cloud in Settings
        </Button>
      </div>
    </div>
  );
}

function Verified(props: { account: BotAccount }) {
  const styles = useStyles();
  const { account } = props;
  return (
    <>
      <dl className={styles.facts} data-testid="bot-account">
        <dt className={styles.term}>Sends as</dt>
        <dd className={styles.value}>
          <strong>{account.app_name}</strong> ({account.app_id})
        </dd>
        <dt className={styles.term}>Tenant</dt>
        <dd className={styles.value}>
          {account.tenant_id}
          {account.tenant !== account.tenant_id && ` (${account.tenant})`}
        </dd>
        <dt className={styles.term}>Cloud</dt>
        <dd className={styles.value}>
          {account.cloud_label} · {account.connector_url}
        </dd>
        <dt className={styles.term}>Connected since</dt>
        <dd className={styles.value}>{new Date(account.connected_at).toLocaleString()}</dd>
      </dl>
      <Subtitle2 as="h3">What the app verified</Subtitle2>
      <ul className={styles.checks} data-testid="bot-checks">
        {account.checks.map((check) => (
          <li key={check.label} className={styles.check}>
            {check.ok ? (
              <CheckmarkCircle16Filled className={styles.ok} aria-label="Verified" />
            ) : (
              <Warning16Filled className={styles.warn} aria-label="Needs attention" />
            )}
            <Body1>
              <strong>{check.label}.</strong> {check.detail}
            </Body1>
          </li>
        ))}
      </ul>
    </>
  );
}
