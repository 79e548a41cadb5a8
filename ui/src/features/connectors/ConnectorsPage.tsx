import {
  Body1,
  Breadcrumb,
  BreadcrumbButton,
  BreadcrumbDivider,
  BreadcrumbItem,
  Button,
  Card,
  MessageBar,
  MessageBarBody,
  Subtitle1,
  Subtitle2,
  Tab,
  TabList,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Bot24Regular, Person24Regular, Settings20Regular } from "@fluentui/react-icons";
import { Fragment, Suspense, lazy, useState } from "react";

import type { SettingsView } from "../../bindings/SettingsView";
import { commands } from "../../ipc/commands";
import { Loading } from "../../shared/Loading";
import { PageHeader } from "../../shared/PageHeader";
import { useCommand } from "../../shared/useCommand";
import type { Loaded } from "../../shared/useCommand";
import { ConnectionBadge, ConnectionCard } from "./ConnectionCard";
import { PermissionsSection } from "./PermissionsSection";
import { useBot } from "./bot/useBot";
import { useConnection } from "./useConnection";

// The bot's tab (its pickers among them) loads when first chosen: the page opens on the other.
const botCard = () => import("./bot/BotConnectionCard");
const BotBadge = lazy(() => botCard().then((m) => ({ default: m.BotBadge })));
const BotCloudSummary = lazy(() => botCard().then((m) => ({ default: m.BotCloudSummary })));
const BotConnectionCard = lazy(() => botCard().then((m) => ({ default: m.BotConnectionCard })));
const PublishSection = lazy(() => import("./bot/PublishSection").then((m) => ({ default: m.PublishSection })));

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalL },
  status: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  grow: { flexGrow: 1 },
  columns: { display: "grid", gridTemplateColumns: "3fr 2fr", gap: tokens.spacingHorizontalXXL },
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  paragraph: { margin: 0 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, lineHeight: tokens.lineHeightBase400 },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Method = "identity" | "bot";

const METHODS: Record<Method, { label: string; summary: string; prerequisites: string[] }> = {
  identity: {
    label: "IDENTITY PROVIDER",
    summary:
      "Messages are sent as you, with your own Microsoft account. You connect by signing in to Microsoft from this app and approving the permissions below.",
    prerequisites: [
      "A Microsoft Teams account in your organisation.",
      "An Entra app registration for this app (its application ID goes in Settings).",
      "Optionally, an administrator to approve the two permissions that need admin consent.",
    ],
  },
  bot: {
    label: "BOT IDENTITY PROVIDER",
    summary:
      "Messages come from one app identity, “OX Security Alerts”, instead of a person. It is deployed to people through Teams setup policies, and every message links straight to its issue and workflow.",
    prerequisites: [
      "A Microsoft Teams account in your organisation.",
      "A Teams administrator who may manage apps and setup policies in the Teams Admin Center.",
      "The bot's application ID and client secret (kept only in your OS keychain).",
    ],
  },
};

export function ConnectorsPage(props: { onOpenSettings: () => void }) {
  const styles = useStyles();
  const [method, setMethod] = useState<Method>("identity");
  const connection = useConnection();
  const bot = useBot();
  // Settings are read again after each connection change (the card shows what is configured).
  const settings = useCommand(commands.getSettings, connection.revision);
  const chosen = METHODS[method];
  const clientIdSet = settings.state === "ready" && settings.data.settings.client_id !== "";

  return (
    <>
      <PageHeader
        above={
          <Breadcrumb aria-label="Location" size="small">
            {["Settings", "Connectors", "Dev Alerts"].map((step) => (
              <Fragment key={step}>
                <BreadcrumbItem>
                  <BreadcrumbButton>{step}</BreadcrumbButton>
                </BreadcrumbItem>
                <BreadcrumbDivider />
              </Fragment>
            ))}
            <BreadcrumbItem>
              <BreadcrumbButton current>Microsoft Teams</BreadcrumbButton>
            </BreadcrumbItem>
          </Breadcrumb>
        }
        title="Microsoft Teams"
        description="Receive security alerts, incident updates and workflow notifications directly in Microsoft Teams channels and chats."
      />

      <Card className={styles.card} data-testid="teams-connector">
        <div className={styles.status}>
          <Subtitle1 as="h2" className={styles.grow}>
            Connection
          </Subtitle1>
          {method === "identity" ? (
            <ConnectionBadge connection={connection} />
          ) : (
            <Suspense fallback={<Loading size="tiny" />}>
              <BotBadge bot={bot} />
            </Suspense>
          )}
        </div>
        <TabList selectedValue={method} onTabSelect={(_, data) => setMethod(data.value as Method)} aria-label="Connection method">
          <Tab value="identity" icon={<Person24Regular />} data-testid="method-identity">
            {METHODS.identity.label}
          </Tab>
          <Tab value="bot" icon={<Bot24Regular />} data-testid="method-bot">
            {METHODS.bot.label}
          </Tab>
        </TabList>
        <div className={styles.columns}>
          <div className={styles.column}>
            <Body1 as="p" block className={styles.paragraph}>
              {chosen.summary}
            </Body1>
            <Subtitle2 as="h3" block>
              Before you connect
            </Subtitle2>
            <ul className={styles.list}>
              {chosen.prerequisites.map((item) => (
                <li key={item}>
                  <Body1>{item}</Body1>
                </li>
              ))}
            </ul>
          </div>
          {method === "identity" ? (
            <ConfigurationSummary settings={settings} onOpenSettings={props.onOpenSettings} />
          ) : (
            <Suspense fallback={<Loading size="small" />}>
              <BotCloudSummary bot={bot} onOpenSettings={props.onOpenSettings} />
            </Suspense>
          )}
        </div>
        {method === "identity" ? (
          <ConnectionCard connection={connection} clientIdSet={clientIdSet} onOpenSettings={props.onOpenSettings} />
        ) : (
          <Suspense fallback={null}>
            <BotConnectionCard bot={bot} />
          </Suspense>
        )}
      </Card>

      {method === "identity" ? (
        <PermissionsSection
          revision={connection.revision}
          busy={connection.phase === "waiting"}
          onAskForMissing={(missing) => connection.connect(missing)}
        />
      ) : (
        <Suspense fallback={null}>
          <PublishSection bot={bot} />
        </Suspense>
      )}
    </>
  );
}

function ConfigurationSummary(props: { settings: Loaded<SettingsView>; onOpenSettings: () => void }) {
  const styles = useStyles();
  const { settings } = props;
  if (settings.state === "loading") return <Loading size="small" />;
  if (settings.state === "failed") {
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>{settings.message}</MessageBarBody>
      </MessageBar>
    );
  }
  const { settings: values, clouds } = settings.data;
  const cloud = clouds.find((option) => option.cloud === values.cloud)?.label ?? values.cloud;
  return (
    <div className={styles.column}>
      <dl className={styles.facts} data-testid="connection-settings">
        <dt className={styles.term}>Cloud</dt>
        <dd className={styles.value}>{cloud}</dd>
        <dt className={styles.term}>Tenant</dt>
        <dd className={styles.value}>{values.tenant}</dd>
        <dt className={styles.term}>Application ID</dt>
        <dd className={styles.value}>{values.client_id || <Text className={styles.muted}>not set</Text>}</dd>
      </dl>
      <div>
        <Button icon={<Settings20Regular />} onClick={props.onOpenSettings}>
          Change in Settings
        </Button>
      </div>
    </div>
  );
}
