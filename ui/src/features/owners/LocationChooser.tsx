import { Button, Dropdown, Field, Input, Option, Tab, TabList, makeStyles, tokens } from "@fluentui/react-components";
import { Folder20Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";

import type { OwnersLocation } from "../../bindings/OwnersLocation";
import type { Source } from "../../bindings/Source";
import { commands } from "../../ipc/commands";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  pair: { display: "grid", gridTemplateColumns: "minmax(220px, 1fr) minmax(220px, 1fr)", gap: tokens.spacingHorizontalM },
});

type Way = "folder" | "github";

/** Where CODEOWNERS comes from: a folder on this computer, or a repository through a GitHub
 * source (its token reads the file). */
export function LocationChooser(props: {
  location: OwnersLocation | null;
  busy: boolean;
  onUse: (location: OwnersLocation | null) => void;
  onChooseFolder: () => void;
}) {
  const styles = useStyles();
  const current = props.location;
  const [way, setWay] = useState<Way>(current?.kind ?? "folder");
  const [path, setPath] = useState(current?.kind === "folder" ? current.path : "");
  const [sources, setSources] = useState<Source[]>([]);
  const [sourceId, setSourceId] = useState(current?.kind === "github" ? current.source_id : "");
  const [repo, setRepo] = useState(current?.kind === "github" ? current.repo : "");

  useEffect(() => {
    commands.listSources().then(
      (all) => setSources(all.filter((s) => s.config.kind === "github")),
      () => setSources([]),
    );
  }, []);

  const source = sources.find((s) => s.id === sourceId) ?? null;
  const pickSource = (id: string) => {
    setSourceId(id);
    const picked = sources.find((s) => s.id === id);
    if (picked?.config.kind === "github" && repo.trim() === "") setRepo(picked.config.repos[0] ?? "");
  };
  const sameFolder = current?.kind === "folder" && current.path === path.trim();
  const sameRepo = current?.kind === "github" && current.source_id === sourceId && current.repo === repo.trim();

  return (
    <div className={styles.root}>
      <TabList selectedValue={way} onTabSelect={(_, data) => setWay(data.value as Way)} size="small">
        <Tab value="folder" data-testid="owners-way-folder">
          A folder on this computer
        </Tab>
        <Tab value="github" data-testid="owners-way-github">
          A repository on GitHub
        </Tab>
      </TabList>
      {way === "folder" ? (
        <>
          <Field
            label="Repository folder or CODEOWNERS file"
            hint="A folder is searched where GitHub looks: .github/CODEOWNERS, CODEOWNERS, then docs/CODEOWNERS."
          >
            <Input
              value={path}
              onChange={(_, data) => setPath(data.value)}
              placeholder="/home/you/src/payments-service"
              data-testid="owners-location"
            />
          </Field>
          <div className={styles.row}>
            <Button
              appearance="primary"
              disabled={props.busy || path.trim() === "" || sameFolder}
              onClick={() => props.onUse({ kind: "folder", path: path.trim() })}
              data-testid="owners-use"
            >
              Use this
            </Button>
            <Button icon={<Folder20Regular />} disabled={props.busy} onClick={props.onChooseFolder}>
              Choose folder…
            </Button>
            {current && (
              <Button disabled={props.busy} onClick={() => props.onUse(null)}>
                Stop using it
              </Button>
            )}
          </div>
        </>
      ) : (
        <>
          <div className={styles.pair}>
            <Field
              label="GitHub source"
              hint={sources.length === 0 ? "Add a GitHub source on the Sources page first: its token reads the file." : "Its token reads the file."}
            >
              <Dropdown
                placeholder="Choose a GitHub source"
                value={source?.name ?? ""}
                selectedOptions={sourceId ? [sourceId] : []}
                onOptionSelect={(_, data) => pickSource(data.optionValue ?? "")}
                disabled={sources.length === 0}
                data-testid="owners-github-source"
              >
                {sources.map((s) => (
                  <Option key={s.id} value={s.id} text={s.name}>
                    {s.name}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field label="Repository" hint="owner/name, read from its default branch every 15 minutes.">
              <Input value={repo} onChange={(_, data) => setRepo(data.value)} placeholder="contoso/payments-api" data-testid="owners-github-repo" />
            </Field>
          </div>
          <div className={styles.row}>
            <Button
              appearance="primary"
              disabled={props.busy || sourceId === "" || repo.trim() === "" || sameRepo}
              onClick={() => props.onUse({ kind: "github", source_id: sourceId, repo: repo.trim() })}
              data-testid="owners-github-use"
            >
              Use this repository
            </Button>
            {current && (
              <Button disabled={props.busy} onClick={() => props.onUse(null)}>
                Stop using it
              </Button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
