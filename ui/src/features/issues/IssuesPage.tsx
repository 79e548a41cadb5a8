import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { ShieldTask24Regular } from "@fluentui/react-icons";

import { EmptyState } from "../../shared/EmptyState";
import { PageHeader } from "../../shared/PageHeader";

export function IssuesPage(props: { issueId: string | null }) {
  return (
    <>
      <PageHeader
        title="Active Issues"
        description="Security findings from your scanners. Open one to see everything known about it and send a message about it to Microsoft Teams."
      />
      {props.issueId !== null && (
        <MessageBar layout="multiline" intent="warning" data-testid="missing-issue" style={{ marginBottom: 16 }}>
          <MessageBarBody>
            <MessageBarTitle>Issue “{props.issueId}” is not here</MessageBarTitle>
            It is not among the active issues on this computer: it may have been resolved, or its
            report has not been imported here.
          </MessageBarBody>
        </MessageBar>
      )}
      <EmptyState icon={ShieldTask24Regular} title="No active issues yet" testId="issues-empty">
        Findings appear here once your scanners' reports are imported: SARIF 2.1.0 files from
        CodeQL, Semgrep, Trivy, ESLint, Bandit and others. Each issue shows its severity, tool, rule
        and location, and can be sent to a Teams channel or person. Importing reports is not part of
        this version yet, so the list stays empty for now.
      </EmptyState>
    </>
  );
}
