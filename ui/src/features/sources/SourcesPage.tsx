import {
  Body1,
  Button,
  Caption1,
  Card,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowClockwise20Regular,
  ArrowDownload24Regular,
  Delete20Regular,
  Folder20Regular,
  Globe20Regular,
} from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";

import type { Source } from "../../bindings/Source";
import { commands, onSourcesChecked } from "../../ipc/commands";
import { EmptyState } from "../../shared/EmptyState";
import { PageHeader } from "../../shared/PageHeader";
import { GitHubSourceDialog } from "./GitHubSourceDialog";
import { describeSource, time } from "./describe";

const useStyles = makeStyles({
  bar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, marginBottom: tokens.spacingVerticalM },
  count: { marginLeft: "auto", color: tokens.colorNeutralForeground3 },
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  card: { padding: tokens.spacingVerticalM },
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  icon: { color: tokens.colorBrandForeground1, flexShrink: 0 },
  name: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", minWidth: 0 },
  actions: { marginLeft: "auto", display: "flex", gap: tokens.spacingHorizontalXS, flexShrink: 0 },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  detail: { margin: 0, overflowWrap: "anywhere" },
  gap: { marginBottom: tokens.spacingVerticalM },
});

export function SourcesPage() {
  const styles = useStyles();
  const [sources, setSources] = useState<Source[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [addingGitHub, setAddingGitHub] = useState(false);
  const [removing, setRemoving] = useState<Source | null>(null);

  const load = useCallback(() => {
    commands.listSources().then(
      (list) => {
        setSources(list);
        setFailure(null);
      },
      (error: Error) => setFailure(error.message),
    );
  }, []);

  // Follows the poller: every check it reports, and every few seconds for the CLI's changes.
  useEffect(() => {
    load();
    const timer = setInterval(load, 5000);
    const unlisten = onSourcesChecked(load);
    return () => {
      clearInterval(timer);
      void unlisten.then((stop) => stop());
    };
  }, [load]);

  const act = (run: Promise<unknown>, done?: string) => {
    setProblem(null);
    run.then(
      () => {
        if (done) setNotice(done);
        load();
      },
      (error: Error) => setProblem(error.message),
    );
  };

  const watchFolder = () =>
    act(
      commands.chooseAndWatchFolder().then((source) => {
        if (source) setNotice(`Watching ${source.name}. Reports in it are imported once they stop changing.`);
      }),
    );

  const list = sources ?? [];
  const addButtons = (
    <>
      <Button appearance="primary" icon={<Folder20Regular />} onClick={watchFolder} data-testid="watch-folder">
        Watch a folder…
      </Button>
      <Button icon={<Globe20Regular />} onClick={() => setAddingGitHub(true)} data-testid="add-github">
        Add GitHub…
      </Button>
    </>
  );

  return (
    <>
      <PageHeader
        title="Sources"
        description="Findings arrive here by themselves: from a folder your scanners or CI write reports into, or from GitHub's code scanning, Dependabot and secret scanning alerts. They are imported as if you had imported them, and workflows act on them."
      />
      {failure && (
        <MessageBar intent="error" className={styles.gap}>
          <MessageBarBody>{failure}</MessageBarBody>
        </MessageBar>
      )}
      {problem && (
        <MessageBar intent="error" layout="multiline" className={styles.gap} data-testid="sources-problem">
          <MessageBarBody>{problem}</MessageBarBody>
        </MessageBar>
      )}
      {notice && (
        <MessageBar intent="success" layout="multiline" className={styles.gap} data-testid="sources-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {sources !== null && list.length === 0 && (
        <EmptyState
          icon={ArrowDownload24Regular}
          title="No sources yet"
          testId="sources-empty"
          action={<div className={styles.head}>{addButtons}</div>}
        >
          Watch the folder your CI or scanners write SARIF reports into, or connect GitHub with a read-only token: new
          findings, changes and fixes then arrive without anyone clicking Import. From a pipeline, pipe a report into{" "}
          <code>ox-teams-cli import -</code>.
        </EmptyState>
      )}
      {list.length > 0 && (
        <>
          <div className={styles.bar}>
            {addButtons}
            <Caption1 className={styles.count}>
              {list.length} source{list.length === 1 ? "" : "s"}
            </Caption1>
          </div>
          <div className={styles.list} data-testid="sources">
            {list.map((source) => (
              <SourceCard
                key={source.id}
                source={source}
                onCheck={() => act(commands.checkSource(source.id))}
                onRemove={() => setRemoving(source)}
              />
            ))}
          </div>
        </>
      )}
      {addingGitHub && (
        <GitHubSourceDialog
          onClose={() => setAddingGitHub(false)}
          onAdded={(source) => {
            setAddingGitHub(false);
            setNotice(`Added ${source.name}. Its alerts are read now and every few minutes while the app runs.`);
            load();
          }}
        />
      )}
      {removing && (
        <Dialog open onOpenChange={(_, d) => !d.open && setRemoving(null)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>Stop watching {removing.name}?</DialogTitle>
              <DialogContent>
                <Body1>
                  Findings it brought in stay in Active Issues. {removing.config.kind === "github" ? "Its token is deleted from the keychain." : "The folder and its files are not touched."}
                </Body1>
              </DialogContent>
              <DialogActions>
                <Button onClick={() => setRemoving(null)}>Keep it</Button>
                <Button
                  appearance="primary"
                  data-testid="confirm-remove-source"
                  onClick={() => {
                    const source = removing;
                    setRemoving(null);
                    act(commands.removeSource(source.id), `Stopped watching ${source.name}.`);
                  }}
                >
                  Stop watching
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </>
  );
}

function SourceCard(props: { source: Source; onCheck: () => void; onRemove: () => void }) {
  const styles = useStyles();
  const { source } = props;
  const Icon = source.config.kind === "folder" ? Folder20Regular : Globe20Regular;
  return (
    <Card className={styles.card} data-testid="source">
      <div className={styles.head}>
        <Icon className={styles.icon} aria-hidden />
        <Subtitle2 className={styles.name} title={source.name}>
          {source.name}
        </Subtitle2>
        <div className={styles.actions}>
          <Button size="small" appearance="subtle" icon={<ArrowClockwise20Regular />} onClick={props.onCheck} data-testid="check-source">
            Check now
          </Button>
          <Button size="small" appearance="subtle" icon={<Delete20Regular />} onClick={props.onRemove} aria-label={`Stop watching ${source.name}`} />
        </div>
      </div>
      <dl className={styles.facts}>
        <dt className={styles.term}>Watches</dt>
        <dd className={styles.detail}>{describeSource(source)}</dd>
        <dt className={styles.term}>Last check</dt>
        <dd className={styles.detail} data-testid="source-last-check">
          {source.last_check ? time(source.last_check) : "not yet"}
        </dd>
        <dt className={styles.term}>Found</dt>
        <dd className={styles.detail} data-testid="source-found">
          {source.found_at ? `${source.found_summary} at ${time(source.found_at)}` : "nothing yet"}
        </dd>
        <dt className={styles.term}>Next check</dt>
        <dd className={styles.detail}>
          {source.waiting_until
            ? `after GitHub's rate limit resets at ${time(source.waiting_until)}`
            : time(source.next_check)}
        </dd>
      </dl>
      {source.error && (
        <MessageBar intent={source.error.code === "throttled" ? "warning" : "error"} layout="multiline" data-testid="source-error">
          <MessageBarBody>
            <MessageBarTitle>{source.error.code === "throttled" ? "Waiting" : "Problem at the last check"}</MessageBarTitle>
            {source.error.message}
          </MessageBarBody>
        </MessageBar>
      )}
    </Card>
  );
}
