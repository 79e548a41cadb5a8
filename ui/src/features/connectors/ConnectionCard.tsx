import {
  Badge,
  Body1,
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowSync20Regular } from "@fluentui/react-icons";
import { Suspense, lazy } from "react";
import type { ReactNode } from "react";

import type { Account } from "../../bindings/Account";
import { Loading } from "../../shared/Loading";
import { DisconnectButton } from "./DisconnectButton";
import type { Connection } from "./useConnection";

// What shows while the browser is out loads when Connect is pressed.
const Waiting = lazy(() => import("./Waiting").then((m) => ({ default: m.Waiting })));

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: "anywhere" },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

type BadgeColor = "informative" | "success" | "warning" | "danger" | "brand";

function badgeOf(connection: Connection): [string, BadgeColor] {
  if (connection.phase === "waiting") return ["Waiting for the browser", "brand"];
  switch (connection.state?.state) {
    case undefined:
      return ["Checking…", "informative"];
    case "not_connected":
      return ["Not connected", "informative"];
    case "connected":
      return ["Connected", "success"];
    case "reconnect_needed":
      return ["Reconnect needed", "danger"];
  }
}

export function ConnectionBadge(props: { connection: Connection }) {
  const [text, color] = badgeOf(props.connection);
  return (
    <Badge appearance="tint" color={color} size="large" data-testid="connection-state">
      {text}
    </Badge>
  );
}

/** The Identity provider connection: connect, wait for the browser, see who, reconnect, disconnect. */
export function ConnectionCard(props: { connection: Connection; clientIdSet: boolean; onOpenSettings: () => void }) {
  const styles = useStyles();
  const { connection } = props;
  const { state, phase, problem } = connection;

  let body: ReactNode;
  if (phase === "waiting") {
    body = (
      <Suspense fallback={<Loading size="small" />}>
        <Waiting
          waiting={connection.waiting}
          onCancel={connection.cancel}
          instruction="Waiting for the browser… Sign in and accept the permissions in the browser window that opened, then come back here."
        />
      </Suspense>
    );
  } else if (state === null) {
    body = <Loading size="small" label="Checking the connection…" />;
  } else if (state.state === "not_connected") {
    body = (
      <>
        <Body1>Sign in with your Microsoft work account and accept the permissions listed below.</Body1>
        {!props.clientIdSet && (
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>No app registration yet</MessageBarTitle>
              Enter the application (client) ID of your Entra app registration in Settings first.
            </MessageBarBody>
            <MessageBarActions>
              <Button onClick={props.onOpenSettings}>Open Settings</Button>
            </MessageBarActions>
          </MessageBar>
        )}
        <div className={styles.actions}>
          <Button appearance="primary" disabled={!props.clientIdSet} onClick={() => connection.connect()} data-testid="connect">
            CONNECT
          </Button>
        </div>
      </>
    );
  } else {
    const account = state.account;
    body = (
      <>
        {state.state === "reconnect_needed" && (
          <MessageBar intent="error" layout="multiline" data-testid="reconnect-reason">
            <MessageBarBody>
              <MessageBarTitle>Microsoft Teams needs reconnecting</MessageBarTitle>
              {state.reason}
            </MessageBarBody>
          </MessageBar>
        )}
        {state.state === "connected" && account.settings_changed && (
          <MessageBar intent="info" layout="multiline" data-testid="settings-changed">
            <MessageBarBody>
              The cloud, tenant or application in Settings changed since you connected. The connection
              keeps using the old ones until you reconnect.
            </MessageBarBody>
          </MessageBar>
        )}
        <AccountFacts account={account} />
        <div className={styles.actions}>
          {state.state === "reconnect_needed" || account.settings_changed ? (
            <Button appearance="primary" icon={<ArrowSync20Regular />} onClick={() => connection.connect()} data-testid="reconnect">
              Reconnect
            </Button>
          ) : (
            <Button icon={<ArrowSync20Regular />} disabled={phase === "checking"} onClick={connection.check} data-testid="check-connection">
              {phase === "checking" ? "Checking…" : "Check connection"}
            </Button>
          )}
          <DisconnectButton onConfirm={connection.disconnect} busy={phase === "disconnecting"} />
        </div>
      </>
    );
  }

  return (
    <div className={styles.root} data-testid="identity-connection">
      {problem && (
        <MessageBar intent="error" layout="multiline" data-testid="connection-problem">
          <MessageBarBody>
            <MessageBarTitle>Sign-in did not complete</MessageBarTitle>
            {problem}
          </MessageBarBody>
        </MessageBar>
      )}
      {body}
    </div>
  );
}

function AccountFacts(props: { account: Account }) {
  const styles = useStyles();
  const { account } = props;
  return (
    <dl className={styles.facts} data-testid="connected-account">
      <dt className={styles.term}>Signed in as</dt>
      <dd className={styles.value}>
        <strong>{account.name}</strong> ({account.mail})
      </dd>
      <dt className={styles.term}>Tenant</dt>
      <dd className={styles.value}>
        {account.tenant_id}
        {account.tenant !== account.tenant_id && ` (${account.tenant})`}
      </dd>
      <dt className={styles.term}>Cloud</dt>
      <dd className={styles.value}>{account.cloud_label}</dd>
      <dt className={styles.term}>Connected since</dt>
      <dd className={styles.value}>{new Date(account.connected_at).toLocaleString()}</dd>
    </dl>
  );
}
