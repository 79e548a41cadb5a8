import { Caption1, Tab, TabList, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Suspense, lazy, useCallback, useState } from "react";

import logo from "../../../icons/icon.svg";
import type { Route } from "../bindings/Route";
import { ConnectorsPage } from "../features/connectors/ConnectorsPage";
import { Loading } from "../shared/Loading";
import { PAGES, routeOf } from "./routes";
import type { Page } from "./routes";
import { CrashScreen } from "./CrashScreen";
import type { LinkProblem } from "./LinkProblems";
import { useLinkNavigation } from "./useLinkNavigation";

// The first page (Connectors) is in the first bundle; the others load when first opened, so
// the window paints before their code (the issue table, the workflow editor) is parsed.
const IssuesPage = lazy(() => import("../features/issues/IssuesPage").then((m) => ({ default: m.IssuesPage })));
const WorkflowsPage = lazy(() =>
  import("../features/workflows/WorkflowsPage").then((m) => ({ default: m.WorkflowsPage })),
);
const SourcesPage = lazy(() => import("../features/sources/SourcesPage").then((m) => ({ default: m.SourcesPage })));
const OwnersPage = lazy(() => import("../features/owners/OwnersPage").then((m) => ({ default: m.OwnersPage })));
const ActivityPage = lazy(() => import("../features/activity/ActivityPage").then((m) => ({ default: m.ActivityPage })));
const SettingsPage = lazy(() => import("../features/settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));
// So is the toast saying why a link could not be opened, when there is one.
const LinkProblems = lazy(() => import("./LinkProblems").then((m) => ({ default: m.LinkProblems })));

const useStyles = makeStyles({
  shell: { display: "flex", width: "100%", height: "100%" },
  nav: {
    width: "232px",
    flexShrink: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalS}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  brand: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `0 ${tokens.spacingHorizontalS}`,
  },
  logo: { width: "32px", height: "32px" },
  tabs: { flexGrow: 1 },
  // A tab is a <button>, which centres its text: each label would sit in the width its bold
  // (selected) form reserves, a few pixels off its neighbours.
  tab: { textAlign: "start" },
  version: { padding: `0 ${tokens.spacingHorizontalM}`, color: tokens.colorNeutralForeground3 },
  main: {
    flexGrow: 1,
    overflowY: "auto",
    backgroundColor: tokens.colorNeutralBackground1,
  },
  page: { maxWidth: "1080px", padding: `${tokens.spacingVerticalXXL} 40px`, margin: "0 auto" },
  // Active Issues uses the whole window: a table beside a detail pane.
  wide: {
    height: "100%",
    boxSizing: "border-box",
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
  },
});

export function AppShell(props: { version: string }) {
  const styles = useStyles();
  const [route, setRoute] = useState<Route>({ page: "connectors" });
  const [linkProblem, setLinkProblem] = useState<LinkProblem | null>(null);

  const navigate = useCallback((next: Route) => setRoute(next), []);
  const rejectLink = useCallback(
    (message: string) => setLinkProblem((last) => ({ serial: (last?.serial ?? 0) + 1, message })),
    [],
  );
  useLinkNavigation(navigate, rejectLink);

  return (
    <div className={styles.shell}>
      {linkProblem && (
        <Suspense fallback={null}>
          <LinkProblems problem={linkProblem} />
        </Suspense>
      )}
      <nav className={styles.nav} aria-label="Main">
        <div className={styles.brand}>
          <img src={logo} alt="" className={styles.logo} />
          <Text weight="semibold" size={400}>
            OX Teams Connector
          </Text>
        </div>
        <TabList
          className={styles.tabs}
          vertical
          size="large"
          selectedValue={route.page}
          onTabSelect={(_, data) => setRoute(routeOf(data.value as Page))}
        >
          {PAGES.map(({ page, label, icon: Icon }) => (
            <Tab key={page} value={page} icon={<Icon />} className={styles.tab} data-testid={`nav-${page}`}>
              {label}
            </Tab>
          ))}
        </TabList>
        <Caption1 className={styles.version}>Version {props.version}</Caption1>
      </nav>
      <main className={styles.main} data-testid={`page-${route.page}`}>
        <div className={route.page === "issues" ? styles.wide : styles.page}>
          <CrashScreen key={route.page}>
            <Suspense fallback={<Loading label="Opening…" data-testid="page-loading" />}>
              <CurrentPage route={route} navigate={navigate} />
            </Suspense>
          </CrashScreen>
        </div>
      </main>
    </div>
  );
}

function CurrentPage(props: { route: Route; navigate: (route: Route) => void }) {
  const { route, navigate } = props;
  switch (route.page) {
    case "connectors":
      return <ConnectorsPage onOpenSettings={() => navigate({ page: "settings" })} />;
    case "issues":
      return <IssuesPage issueId={route.issue_id ?? null} openedBy={route} onOpenActivity={() => navigate({ page: "activity" })} />;
    case "workflows":
      return <WorkflowsPage workflowId={route.workflow_id ?? null} />;
    case "sources":
      return <SourcesPage />;
    case "owners":
      return <OwnersPage />;
    case "activity":
      return <ActivityPage onOpenIssue={(issueId) => navigate({ page: "issues", issue_id: issueId })} />;
    case "settings":
      return <SettingsPage />;
  }
}
