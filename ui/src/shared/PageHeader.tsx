import { Body1, Title2, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  header: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    marginBottom: tokens.spacingVerticalXL,
  },
  description: { color: tokens.colorNeutralForeground2, maxWidth: "72ch" },
});

export function PageHeader(props: { title: string; description?: ReactNode; above?: ReactNode }) {
  const styles = useStyles();
  return (
    <header className={styles.header}>
      {props.above}
      <Title2 as="h1">{props.title}</Title2>
      {props.description && <Body1 className={styles.description}>{props.description}</Body1>}
    </header>
  );
}
