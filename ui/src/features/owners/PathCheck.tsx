import { Body1, Button, Caption1, Field, Input, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";

import type { FindingOwners } from "../../bindings/FindingOwners";
import { commands } from "../../ipc/commands";
import { OwnersSummary } from "./OwnersSummary";

const useStyles = makeStyles({
  row: { display: "flex", alignItems: "flex-end", gap: tokens.spacingHorizontalS },
  grow: { flexGrow: 1 },
  result: { marginTop: tokens.spacingVerticalM },
  problem: { color: tokens.colorPaletteRedForeground1 },
});

/** Which line of CODEOWNERS decides a path, and where its owners reach. */
export function PathCheck() {
  const styles = useStyles();
  const [path, setPath] = useState("");
  const [result, setResult] = useState<FindingOwners | string | null>(null);
  const check = () =>
    commands.ownersOfPath(path.trim()).then(setResult, (e: Error) => setResult(e.message));
  return (
    <div>
      <form
        className={styles.row}
        onSubmit={(event) => {
          event.preventDefault();
          void check();
        }}
      >
        <Field className={styles.grow} label="Path in the repository" hint="As a scanner reports it: src/payments/refund.go">
          <Input value={path} onChange={(_, data) => setPath(data.value)} data-testid="owners-path" />
        </Field>
        <Button type="submit" disabled={path.trim() === ""} data-testid="owners-path-check">
          Check
        </Button>
      </form>
      <div className={styles.result} data-testid="owners-path-result">
        {typeof result === "string" && <Caption1 className={styles.problem}>{result}</Caption1>}
        {result !== null && typeof result !== "string" && (
          <>
            {result.rule && <Body1>{result.rule}</Body1>}
            <OwnersSummary owners={result} />
          </>
        )}
      </div>
    </div>
  );
}
