import { teamsDarkTheme, teamsLightTheme } from "@fluentui/react-components";
import type { Theme } from "@fluentui/react-components";
import { useEffect, useState } from "react";

const DARK = "(prefers-color-scheme: dark)";

/** Teams' own light or dark theme, following the operating system. */
export function useSystemTheme(): Theme {
  const [dark, setDark] = useState(() => window.matchMedia(DARK).matches);
  useEffect(() => {
    const query = window.matchMedia(DARK);
    const update = () => setDark(query.matches);
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return dark ? teamsDarkTheme : teamsLightTheme;
}
