import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";

import type { AlertKind } from "../../bindings/AlertKind";
import type { Source } from "../../bindings/Source";
import { commands } from "../../ipc/commands";
import { ALERT_KINDS } from "./describe";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  kinds: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
  short: { maxWidth: "120px" },
});

/** Adds a GitHub source: where, which repositories or organisation, which alerts, and a token
 *  that goes straight to the keychain once GitHub accepts it. */
export function GitHubSourceDialog(props: { onClose: () => void; onAdded: (source: Source) => void }) {
  const styles = useStyles();
  const [url, setUrl] = useState("");
  const [repos, setRepos] = useState("");
  const [org, setOrg] = useState("");
  const [kinds, setKinds] = useState<AlertKind[]>(ALERT_KINDS.map((k) => k.value));
  const [minutes, setMinutes] = useState("5");
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const add = () => {
    setBusy(true);
    setProblem(null);
    const every = Number.parseInt(minutes, 10);
    commands
      .addGithubSource(
        {
          url,
          repos: repos.split(/[\s,]+/).filter((r) => r.length > 0),
          org: org.trim() === "" ? null : org,
          kinds,
          interval_minutes: Number.isFinite(every) ? every : null,
        },
        token,
      )
      .then(
        (source) => {
          setToken("");
          props.onAdded(source);
        },
        (error: Error) => {
          setBusy(false);
          setProblem(error.message);
        },
      );
  };

  const toggle = (kind: AlertKind, on: boolean) =>
    setKinds((current) => (on ? [...current, kind] : current.filter((k) => k !== kind)));

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && props.onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Read alerts from GitHub</DialogTitle>
          <DialogContent className={styles.form}>
            <Field label="GitHub address" hint="Leave empty for github.com; for GitHub Enterprise Server, its address.">
              <Input value={url} onChange={(_, d) => setUrl(d.value)} placeholder="https://github.example.com" data-testid="github-url" />
            </Field>
            <Field label="Repositories" hint="owner/name, one per line or separated by commas.">
              <Textarea value={repos} onChange={(_, d) => setRepos(d.value)} placeholder="contoso/payments-api" data-testid="github-repos" />
            </Field>
            <Field label="Organisation" hint="Every repository of this organisation, now and later (its organisation-wide alert lists).">
              <Input value={org} onChange={(_, d) => setOrg(d.value)} placeholder="contoso" data-testid="github-org" />
            </Field>
            <Field label="Alerts">
              <div className={styles.kinds}>
                {ALERT_KINDS.map((kind) => (
                  <Checkbox
                    key={kind.value}
                    label={kind.label}
                    checked={kinds.includes(kind.value)}
                    onChange={(_, d) => toggle(kind.value, d.checked === true)}
                  />
                ))}
              </div>
            </Field>
            <Field label="Check every (minutes)">
              <Input className={styles.short} type="number" min={1} value={minutes} onChange={(_, d) => setMinutes(d.value)} />
            </Field>
            <Field
              label="Token"
              required
              hint="A fine-grained personal access token with read access to code scanning, Dependabot and secret scanning alerts, or a GitHub App installation token. It is kept in your system's keychain, never in the app's database."
            >
              <Input type="password" value={token} onChange={(_, d) => setToken(d.value)} autoComplete="off" data-testid="github-token" />
            </Field>
            {problem && (
              <MessageBar intent="error" layout="multiline" data-testid="github-problem">
                <MessageBarBody>{problem}</MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={props.onClose}>Cancel</Button>
            <Button
              appearance="primary"
              disabled={busy || token.trim() === "" || kinds.length === 0}
              onClick={add}
              icon={busy ? <Spinner size="tiny" /> : undefined}
              data-testid="github-add"
            >
              {busy ? "Checking with GitHub…" : "Add"}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
