import {
  ArrowDownload24Regular,
  Flow24Regular,
  History24Regular,
  PeopleTeam24Regular,
  PlugConnected24Regular,
  Settings24Regular,
  ShieldError24Regular,
} from "@fluentui/react-icons";
import type { FluentIcon } from "@fluentui/react-icons";

import type { Route } from "../bindings/Route";

export type Page = Route["page"];

export interface PageEntry {
  page: Page;
  label: string;
  icon: FluentIcon;
}

/** The navigation, in the order it is shown. */
export const PAGES: readonly PageEntry[] = [
  { page: "connectors", label: "Connectors", icon: PlugConnected24Regular },
  { page: "issues", label: "Active Issues", icon: ShieldError24Regular },
  { page: "sources", label: "Sources", icon: ArrowDownload24Regular },
  { page: "owners", label: "Owners", icon: PeopleTeam24Regular },
  { page: "workflows", label: "Workflows", icon: Flow24Regular },
  { page: "activity", label: "Activity", icon: History24Regular },
  { page: "settings", label: "Settings", icon: Settings24Regular },
];

export function routeOf(page: Page): Route {
  switch (page) {
    case "issues":
      return { page, issue_id: null };
    case "workflows":
      return { page, workflow_id: null };
    default:
      return { page };
  }
}
