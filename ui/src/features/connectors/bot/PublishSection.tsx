import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle1,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowDownload20Regular, Open20Regular, PeopleCheckmark20Regular } from "@fluentui/react-icons";
import { useState } from "react";

import type { Coverage } from "../../../bindings/Coverage";
import type { Recipient } from "../../../bindings/Recipient";
import type { SavedPackage } from "../../../bindings/SavedPackage";
import { commands } from "../../../ipc/commands";
import { RecipientPicker } from "../../issues/send/RecipientPicker";
import type { Bot } from "./useBot";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalL },
  columns: { display: "grid", gridTemplateColumns: "1fr 1fr", gap: tokens.spacingHorizontalXXL },
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  muted: { color: tokens.colorNeutralForeground3 },
  results: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  result: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
  heading: { margin: 0 },
  label: { flexGrow: 1, minWidth: 0, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
});

/** Publishing the bot: its Teams app package, the Teams admin center steps, and who has it. */
export function PublishSection(props: { bot: Bot }) {
  const styles = useStyles();
  const { bot } = props;
  const [saved, setSaved] = useState<SavedPackage | null>(null);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const appIdSet = (bot.setup?.app_id ?? "") !== "";
  const adminCenter = bot.setup?.teams_admin_center ?? null;

  const save = () => {
    setSaving(true);
    setProblem(null);
    commands
      .saveAppPackage()
      .then(setSaved, (error: Error) => setProblem(error.message))
      .finally(() => setSaving(false));
  };

  return (
    <Card className={styles.card} data-testid="publish-app">
      <Subtitle1 as="h2">Publish the app to your organisation</Subtitle1>
      <div className={styles.columns}>
        <div className={styles.column}>
          <ol className={styles.steps}>
            <li>
              <Body1>
                <strong>Save the app package</strong>: the Teams manifest (v1.30) for your bot and its
                icons, in one zip.
              </Body1>
              <div className={styles.actions}>
                <Button icon={<ArrowDownload20Regular />} disabled={!appIdSet || saving} onClick={save} data-testid="save-package">
                  {saving ? "Saving…" : "Save app package"}
                </Button>
                {!appIdSet && <Caption1 className={styles.muted}>Enter the bot's application ID above first.</Caption1>}
              </div>
            </li>
            <li>
              <Body1>
                In <strong>Teams admin center › Teams apps › Manage apps</strong>, select <strong>Upload new app</strong> and
                choose the zip.
              </Body1>
            </li>
            <li>
              <Body1>
                Open <strong>OX Security Alerts</strong> there and make sure it is <strong>Allowed</strong> (and that
                Org-wide app settings let people use custom apps).
              </Body1>
            </li>
            <li>
              <Body1>
                In <strong>Setup policies</strong>, open <strong>Global (Org-wide default)</strong> or the policy for your
                security team, and under <strong>Installed apps</strong> select <strong>Add apps</strong> › OX Security
                Alerts › Save.
              </Body1>
            </li>
            <li>
              <Body1>
                Wait: Teams applies setup policies within a few hours (sometimes up to a day). Check below who has
                the app already.
              </Body1>
            </li>
          </ol>
          {adminCenter !== null && (
            <div>
              <Button icon={<Open20Regular />} onClick={() => void commands.openTeamsAdminCenter()}>
                Open Teams admin center
              </Button>
            </div>
          )}
          {problem && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody>{problem}</MessageBarBody>
            </MessageBar>
          )}
          {saved && (
            <MessageBar intent="success" layout="multiline" data-testid="package-saved">
              <MessageBarBody>
                <MessageBarTitle>App package saved</MessageBarTitle>
                <span data-testid="package-path">{saved.path}</span> ({Math.ceil(Number(saved.bytes) / 1024)} KB, manifest
                v{saved.manifest_version})
              </MessageBarBody>
              <MessageBarActions>
                <Button onClick={() => void commands.revealFile(saved.path)}>Show in folder</Button>
              </MessageBarActions>
            </MessageBar>
          )}
        </div>
        <InstallCoverage connected={bot.state?.state === "connected"} />
      </div>
    </Card>
  );
}

function InstallCoverage(props: { connected: boolean }) {
  const styles = useStyles();
  const [chosen, setChosen] = useState<Recipient[]>([]);
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const toggle = (recipient: Recipient) => {
    const key = recipient.key;
    setChosen((now) => (now.some((r) => r.key === key) ? now.filter((r) => r.key !== key) : [...now, recipient]));
    setCoverage(null);
  };
  const check = () => {
    setChecking(true);
    setProblem(null);
    commands
      .appCoverage(chosen)
      .then(setCoverage, (error: Error) => setProblem(error.message))
      .finally(() => setChecking(false));
  };
  return (
    <div className={styles.column} data-testid="app-coverage">
      <Subtitle2 as="h3" className={styles.heading}>
        Who has the app
      </Subtitle2>
      {!props.connected ? (
        <Caption1 className={styles.muted}>Connect the bot to check where the app is installed.</Caption1>
      ) : (
        <>
          <Caption1 className={styles.muted}>
            Choose people and channels; a channel counts through its team. The bot can only message those that have it.
          </Caption1>
          <RecipientPicker chosen={chosen} onToggle={toggle} kinds={["people", "channels"]} />
          <div className={styles.actions}>
            <Button
              icon={<PeopleCheckmark20Regular />}
              disabled={chosen.length === 0 || checking}
              onClick={check}
              data-testid="check-coverage"
            >
              {chosen.length === 0 ? "Check installation" : `Check installation for ${chosen.length}`}
            </Button>
            {checking && <Spinner size="tiny" />}
          </div>
          {problem && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody>{problem}</MessageBarBody>
            </MessageBar>
          )}
          {coverage && (
            <>
              <Body1 data-testid="coverage-summary">
                <strong>{coverage.summary}</strong>
              </Body1>
              <ul className={styles.results}>
                {coverage.items.map((item) => (
                  <li key={item.key} className={styles.result} data-testid="coverage-item">
                    <Body1 className={styles.label} title={item.problem ?? item.label}>
                      {item.label}
                    </Body1>
                    {item.installed === true && (
                      <Badge appearance="tint" color="success">
                        Installed
                      </Badge>
                    )}
                    {item.installed === false && (
                      <Badge appearance="tint" color="danger">
                        Not installed
                      </Badge>
                    )}
                    {item.installed === null && (
                      <Badge appearance="tint" color="warning" title={item.problem ?? undefined}>
                        Unknown
                      </Badge>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </div>
  );
}
