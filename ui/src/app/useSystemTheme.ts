import { teamsDarkTheme, teamsLightTheme } from "@fluentui/react-components";
import type { Theme } from "@fluentui/react-components";
import { useEffect, useState } from "react";

const DARK = "(prefers-color-scheme: dark)";

/** Whether the window is WebKitGTK, the app's engine on Linux. */
export function onLinux(userAgent: string): boolean {
  return userAgent.includes("Linux") && !userAgent.includes("Android");
}

/**
 * Teams' theme as a Linux desktop draws it cheaply, with the same colours and sizes:
 * - the desktop's default fonts (fontconfig's `sans-serif` and `monospace`): Fluent's lists start
 *   with families a Linux desktop does not have (-apple-system, BlinkMacSystemFont, Segoe UI;
 *   Consolas), and WebKitGTK asks fontconfig for each, at each size and weight, before a page
 *   can lay out. Not `system-ui`: WebKitGTK 2.50 then matches every run of text against
 *   fontconfig twice (2,338 matches for the first page instead of 1,258), 20 ms more;
 * - shadows without blur (a hairline ring and a one-pixel edge below, in the theme's own
 *   colours): WebKit blurs a shadow on the CPU wherever it paints without a GPU.
 * Together they take about a fifth off the time the first page takes to paint there
 * (tests/scripts/bench-app.sh; issue 16).
 */
export function forLinux(theme: Theme): Theme {
  const flat: Partial<Theme> = {};
  for (const [token, value] of Object.entries(theme)) {
    if (token.startsWith("shadow") && typeof value === "string") {
      (flat as Record<string, string>)[token] = unblurred(value);
    }
  }
  return {
    ...theme,
    ...flat,
    fontFamilyBase: "sans-serif",
    fontFamilyNumeric: "sans-serif",
    fontFamilyMonospace: "monospace",
  };
}

/** "0 0 2px c1, 0 2px 4px c2" → "0 0 0 1px c1, 0 1px 0 c2": each layer keeps its colour. */
function unblurred(shadow: string): string {
  const colours = [...shadow.matchAll(/rgba?\([^)]*\)/g)].map(([colour]) => colour);
  return colours.map((colour, i) => (i === 0 ? `0 0 0 1px ${colour}` : `0 1px 0 ${colour}`)).join(", ");
}

const LINUX = onLinux(navigator.userAgent);
const LIGHT = LINUX ? forLinux(teamsLightTheme) : teamsLightTheme;
const DARK_THEME = LINUX ? forLinux(teamsDarkTheme) : teamsDarkTheme;

/** Teams' own light or dark theme, following the operating system. */
export function useSystemTheme(): Theme {
  const [dark, setDark] = useState(() => window.matchMedia(DARK).matches);
  useEffect(() => {
    const query = window.matchMedia(DARK);
    const update = () => setDark(query.matches);
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return dark ? DARK_THEME : LIGHT;
}
