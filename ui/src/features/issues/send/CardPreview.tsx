import { Caption1, Switch, makeStyles, tokens } from "@fluentui/react-components";
import * as AdaptiveCards from "adaptivecards";
import MarkdownIt from "markdown-it";
import { useEffect, useRef, useState } from "react";

import dark from "./hostconfig/microsoft-teams-dark.json";
import light from "./hostconfig/microsoft-teams-light.json";

// Teams renders TextBlocks' Markdown subset; so does the preview, with HTML switched off so
// that nothing typed can become markup.
const markdown = new MarkdownIt({ html: false, linkify: false, breaks: false });
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.renderInline(text);
  result.didProcess = true;
};

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  bar: { display: "flex", alignItems: "center", justifyContent: "space-between" },
  surface: {
    borderRadius: tokens.borderRadiusLarge,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    overflow: "hidden",
    "& a": { pointerEvents: "none" },
  },
  light: { backgroundColor: "#f5f5f5" },
  dark: { backgroundColor: "#1f1f1f" },
  problem: { color: tokens.colorPaletteRedForeground1 },
});

/** The card exactly as it will be sent, drawn by Microsoft's renderer with Teams' host config. */
export function CardPreview(props: { card: Record<string, unknown> }) {
  const styles = useStyles();
  const [theme, setTheme] = useState<"light" | "dark">("light");
  const target = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const host = target.current;
    if (!host) return;
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(theme === "light" ? light : dark);
    const errors: AdaptiveCards.IValidationEvent[] = [];
    card.parse(props.card, new AdaptiveCards.SerializationContext());
    card.validateProperties().validationEvents.forEach((e) => errors.push(e));
    const element = card.render();
    host.replaceChildren(...(element ? [element] : []));
    setProblem(errors.length > 0 ? errors.map((e) => e.message).join(" ") : null);
  }, [props.card, theme]);

  return (
    <div className={styles.root}>
      <div className={styles.bar}>
        <Caption1>How it looks in Teams</Caption1>
        <Switch
          label="Dark theme"
          checked={theme === "dark"}
          onChange={(_, data) => setTheme(data.checked ? "dark" : "light")}
        />
      </div>
      <div
        className={`${styles.surface} ${theme === "light" ? styles.light : styles.dark}`}
        ref={target}
        data-testid="card-preview"
      />
      {problem && <Caption1 className={styles.problem}>The card has a problem: {problem}</Caption1>}
    </div>
  );
}
