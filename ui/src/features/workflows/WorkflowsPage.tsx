import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { Flow24Regular } from "@fluentui/react-icons";

import { EmptyState } from "../../shared/EmptyState";
import { PageHeader } from "../../shared/PageHeader";

export function WorkflowsPage(props: { workflowId: string | null }) {
  return (
    <>
      <PageHeader
        title="Workflows"
        description="Workflows send Teams messages by themselves: for new or updated issues, for the issues you already have, or on a schedule."
      />
      {props.workflowId !== null && (
        <MessageBar layout="multiline" intent="warning" data-testid="missing-workflow" style={{ marginBottom: 16 }}>
          <MessageBarBody>
            <MessageBarTitle>Workflow “{props.workflowId}” is not here</MessageBarTitle>
            No workflow with that identifier exists on this computer. It may have been deleted.
          </MessageBarBody>
        </MessageBar>
      )}
      <EmptyState icon={Flow24Regular} title="No workflows yet" testId="workflows-empty">
        A workflow watches your issues and, when its conditions match, sends a Teams message to its
        recipients — or to its fallback recipients when a recipient cannot be reached. You will be
        able to choose which issues it applies to (updated; new or updated; new, updated or
        existing; or on a schedule) and try it out without sending anything. Workflows are not part
        of this version yet.
      </EmptyState>
    </>
  );
}
