import { Body1, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import type { FluentIcon } from "@fluentui/react-icons";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalXXL}`,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusXLarge,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  icon: { width: "48px", height: "48px", color: tokens.colorBrandForeground1 },
  body: { margin: 0, textAlign: "center", color: tokens.colorNeutralForeground2, maxWidth: "64ch" },
});

/** What a page shows before it has anything: what will appear here, and how to get it. */
export function EmptyState(props: {
  icon: FluentIcon;
  title: string;
  children: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  const styles = useStyles();
  const Icon = props.icon;
  return (
    <section className={styles.root} data-testid={props.testId}>
      <Icon className={styles.icon} aria-hidden />
      <Subtitle1 as="h2">{props.title}</Subtitle1>
      <Body1 as="p" className={styles.body}>
        {props.children}
      </Body1>
      {props.action}
    </section>
  );
}
