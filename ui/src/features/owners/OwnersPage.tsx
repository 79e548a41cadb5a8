import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { PersonSearch20Regular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";

import type { OwnerEntry } from "../../bindings/OwnerEntry";
import type { OwnersView } from "../../bindings/OwnersView";
import type { Recipient } from "../../bindings/Recipient";
import { commands } from "../../ipc/commands";
import { Loading } from "../../shared/Loading";
import { PageHeader } from "../../shared/PageHeader";
import { MapOwnerDialog } from "./MapOwnerDialog";
import { LocationChooser } from "./LocationChooser";
import { PathCheck } from "./PathCheck";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, marginBottom: tokens.spacingVerticalXXL },
  card: { padding: tokens.spacingVerticalL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  actions: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXS, whiteSpace: "nowrap" },
  muted: { color: tokens.colorNeutralForeground3 },
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  push: { marginLeft: "auto" },
  reached: { color: tokens.colorPaletteGreenForeground1 },
  unreached: { color: tokens.colorPaletteMarigoldForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: "anywhere" },
  skipped: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const KIND_LABEL: Record<OwnerEntry["kind"], string> = {
  github_user: "GitHub user",
  github_team: "GitHub team",
  email: "E-mail",
};

/** Who owns which file (the repository's CODEOWNERS), and where each owner reaches in Teams. */
export function OwnersPage() {
  const styles = useStyles();
  const [view, setView] = useState<OwnersView | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [mapping, setMapping] = useState<OwnerEntry | null>(null);

  const show = useCallback((next: OwnersView) => setView(next), []);

  useEffect(() => {
    commands.ownersView().then(show, (e: Error) => setProblem(e.message));
  }, [show]);

  const act = async (label: string, action: () => Promise<OwnersView | null>) => {
    setBusy(label);
    setProblem(null);
    try {
      const next = await action();
      if (next) show(next);
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const map = (owner: string, recipient: Recipient | null) =>
    act("map", () => commands.mapOwner(owner, recipient)).then(() => setMapping(null));

  if (view === null) {
    return (
      <>
        <PageHeader title="Owners" />
        {problem ? (
          <MessageBar intent="error">
            <MessageBarBody>{problem}</MessageBarBody>
          </MessageBar>
        ) : (
          <Loading label="Reading CODEOWNERS…" />
        )}
      </>
    );
  }
  const waiting = view.owners.filter((o) => o.recipient === null);
  return (
    <>
      <PageHeader
        title="Owners"
        description="Send each finding to the people who own its file. The app reads your repository's CODEOWNERS file the way GitHub does (the last matching line wins); map GitHub users and teams to Teams people or channels here. E-mail owners are found in your organisation's directory. Workflows and the Send dialog can then message or @mention the owners."
      />
      {problem && (
        <MessageBar intent="error" className={styles.section} data-testid="owners-problem">
          <MessageBarBody>{problem}</MessageBarBody>
        </MessageBar>
      )}

      <section className={styles.section}>
        <Subtitle2 as="h2">CODEOWNERS file</Subtitle2>
        <Card className={styles.card}>
          {/* Mounted afresh when the location in use changes, so its fields show it. */}
          <LocationChooser
            key={JSON.stringify(view.location)}
            location={view.location}
            busy={busy !== null}
            onUse={(location) => void act("use", () => commands.setOwnersLocation(location))}
            onChooseFolder={() => void act("choose", commands.chooseOwnersFolder)}
          />
          {view.file && (
            <Body1 data-testid="owners-file">
              Reading <span className={styles.code}>{view.file}</span>
              {view.fetched_at && ` (fetched ${new Date(view.fetched_at).toLocaleString()})`}: {view.owners.length} owner
              {view.owners.length === 1 ? "" : "s"}
              {waiting.length > 0 ? `, ${waiting.length} not reaching Teams yet.` : ", all reaching Teams."}
            </Body1>
          )}
          {!view.location && (
            <Caption1 className={styles.muted}>No CODEOWNERS file yet: findings are routed only to the recipients you choose.</Caption1>
          )}
          {view.problem && (
            <MessageBar intent="error">
              <MessageBarBody>
                <MessageBarTitle>{view.file ? "CODEOWNERS could not be fetched again" : "The CODEOWNERS file cannot be read"}</MessageBarTitle>
                {view.problem.message}
                {!view.file && " Until it can, messages for owners go to each workflow's fallback recipients."}
              </MessageBarBody>
            </MessageBar>
          )}
          {view.skipped_lines.length > 0 && (
            <MessageBar intent="warning" data-testid="owners-skipped">
              <MessageBarBody>
                <MessageBarTitle>
                  {view.skipped_lines.length} line{view.skipped_lines.length === 1 ? " is" : "s are"} skipped, as GitHub skips them
                </MessageBarTitle>
                <ul className={styles.skipped}>
                  {view.skipped_lines.map((line) => (
                    <li key={line.line}>
                      Line {line.line}: <span className={styles.code}>{line.text}</span> — {line.reason}
                    </li>
                  ))}
                </ul>
              </MessageBarBody>
            </MessageBar>
          )}
        </Card>
      </section>

      {view.owners.length > 0 && (
        <section className={styles.section}>
          <div className={styles.head}>
            <Subtitle2 as="h2">Owners in the file</Subtitle2>
            <Button
              className={styles.push}
              icon={<PersonSearch20Regular />}
              disabled={busy !== null}
              onClick={() => act("refresh", commands.refreshOwners)}
              data-testid="owners-refresh"
            >
              {busy === "refresh" ? "Reading…" : view.location?.kind === "github" ? "Fetch again and look up addresses" : "Look up addresses"}
            </Button>
          </div>
          <OwnerTable owners={view.owners} onMap={setMapping} onUnmap={(o) => map(o.owner, null)} busy={busy !== null} />
        </section>
      )}

      {view.unused_mappings.length > 0 && (
        <section className={styles.section}>
          <Subtitle2 as="h2">Mappings the file no longer uses</Subtitle2>
          <Caption1 className={styles.muted}>Kept in case the owner returns to CODEOWNERS.</Caption1>
          <OwnerTable owners={view.unused_mappings} onMap={setMapping} onUnmap={(o) => map(o.owner, null)} busy={busy !== null} />
        </section>
      )}

      {view.file && (
        <section className={styles.section}>
          <Subtitle2 as="h2">Who owns a path</Subtitle2>
          <PathCheck />
        </section>
      )}

      {mapping && <MapOwnerDialog owner={mapping} onMap={(r) => map(mapping.owner, r)} onClose={() => setMapping(null)} />}
    </>
  );
}

function OwnerTable(props: { owners: OwnerEntry[]; onMap: (o: OwnerEntry) => void; onUnmap: (o: OwnerEntry) => void; busy: boolean }) {
  const styles = useStyles();
  return (
    <Table size="small" aria-label="Owners" data-testid="owners-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Owner</TableHeaderCell>
          <TableHeaderCell>Kind</TableHeaderCell>
          <TableHeaderCell>Lines</TableHeaderCell>
          <TableHeaderCell>In Teams</TableHeaderCell>
          <TableHeaderCell />
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.owners.map((owner) => (
          <TableRow key={owner.owner} data-testid="owner-row">
            <TableCell>
              <span className={styles.code}>{owner.owner}</span>
            </TableCell>
            <TableCell>
              <Badge appearance="outline" size="small">
                {KIND_LABEL[owner.kind]}
              </Badge>
            </TableCell>
            <TableCell>{owner.lines.join(", ")}</TableCell>
            <TableCell>
              <Body1 className={owner.recipient ? styles.reached : styles.unreached} data-testid="owner-status">
                {owner.status}
              </Body1>
            </TableCell>
            <TableCell>
              <div className={styles.actions}>
                <Button size="small" disabled={props.busy} onClick={() => props.onMap(owner)} data-testid="owner-map">
                  {owner.mapped ? "Change" : "Map…"}
                </Button>
                {owner.mapped && (
                  <Button
                    size="small"
                    appearance="subtle"
                    disabled={props.busy}
                    onClick={() => props.onUnmap(owner)}
                    aria-label={`Remove the mapping of ${owner.owner}`}
                  >
                    Unmap
                  </Button>
                )}
              </div>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
