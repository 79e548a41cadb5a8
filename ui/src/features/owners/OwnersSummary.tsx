import { Caption1, makeStyles, tokens } from "@fluentui/react-components";

import type { FindingOwners } from "../../bindings/FindingOwners";

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  reached: { color: tokens.colorPaletteGreenForeground1 },
  unresolved: { color: tokens.colorPaletteMarigoldForeground2 },
});

/** A finding's owners: who reaches Teams where, and who does not, and why. Shared by the
 * Owners page, the Send dialog and the dry run. */
export function OwnersSummary(props: { owners: FindingOwners }) {
  const styles = useStyles();
  const { reached, unresolved } = props.owners;
  if (reached.length === 0 && unresolved.length === 0) return <Caption1>No owners.</Caption1>;
  return (
    <ul className={styles.list} data-testid="owners-summary">
      {reached.map((r) => (
        <li key={`${r.owner}-${r.recipient.key}`} className={styles.reached}>
          <Caption1>
            {r.owner} → {r.recipient.label}
          </Caption1>
        </li>
      ))}
      {unresolved.map((u) => (
        <li key={`${u.owner}-${u.reason}`} className={styles.unresolved}>
          <Caption1>{u.reason}</Caption1>
        </li>
      ))}
    </ul>
  );
}
