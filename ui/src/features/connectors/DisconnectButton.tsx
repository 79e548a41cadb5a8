import { Button, useRestoreFocusTarget } from "@fluentui/react-components";
import { PlugDisconnected20Regular } from "@fluentui/react-icons";
import { Suspense, lazy, useState } from "react";

// The confirmation (Fluent's dialog, its portal and motion) loads when Disconnect is pressed:
// the Connectors page opens without it.
const DisconnectDialog = lazy(() => import("./DisconnectDialog").then((m) => ({ default: m.DisconnectDialog })));

export function DisconnectButton(props: { onConfirm: () => void; busy: boolean; title?: string; text?: string }) {
  const [asking, setAsking] = useState(false);
  // Focus goes back to the button when the dialog closes.
  const restoreFocus = useRestoreFocusTarget();
  return (
    <>
      <Button
        icon={<PlugDisconnected20Regular />}
        disabled={props.busy}
        onClick={() => setAsking(true)}
        data-testid="disconnect"
        {...restoreFocus}
      >
        Disconnect
      </Button>
      {asking && (
        <Suspense fallback={null}>
          <DisconnectDialog
            title={props.title ?? "Disconnect Microsoft Teams?"}
            text={
              props.text ??
              "The app forgets this sign-in and removes its refresh token from your keychain. Nothing can be sent to Teams until you connect again."
            }
            onConfirm={props.onConfirm}
            onClose={() => setAsking(false)}
          />
        </Suspense>
      )}
    </>
  );
}
