import { History24Regular } from "@fluentui/react-icons";

import { EmptyState } from "../../shared/EmptyState";
import { PageHeader } from "../../shared/PageHeader";

export function ActivityPage() {
  return (
    <>
      <PageHeader
        title="Activity"
        description="Every message sent to Microsoft Teams, by hand or by a workflow, with its delivery status for each recipient."
      />
      <EmptyState icon={History24Regular} title="Nothing has been sent yet" testId="activity-empty">
        Each delivery will be listed here as sent (with a link to the message in Teams), retrying,
        or failed with the reason, and a failed one can be sent again. Messages appear once Teams is
        connected and an issue has been sent.
      </EmptyState>
    </>
  );
}
