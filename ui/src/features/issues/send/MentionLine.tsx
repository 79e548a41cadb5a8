import { Caption1, makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  line: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: "#f5f5f5",
    color: "#242424",
    fontSize: tokens.fontSizeBase300,
  },
  // Teams draws a mention in its brand purple, bold.
  mention: { color: "#5b5fc7", fontWeight: tokens.fontWeightSemibold },
});

/** The line Teams shows above the card with the message's @mentions, drawn as Teams draws it. */
export function MentionLine(props: { place: string; mentions: string[] }) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <Caption1>Above the card in {props.place}</Caption1>
      <div className={styles.line} data-testid="mention-line">
        {props.mentions.map((name, i) => (
          <span key={name}>
            {i > 0 && " "}
            <span className={styles.mention}>{name}</span>
          </span>
        ))}
      </div>
    </div>
  );
}
