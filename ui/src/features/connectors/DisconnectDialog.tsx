import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from "@fluentui/react-components";

/** Asks before a connection is forgotten; loaded by DisconnectButton when it is pressed. */
export function DisconnectDialog(props: { title: string; text: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Dialog open onOpenChange={(_, data) => data.open || props.onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent>{props.text}</DialogContent>
          <DialogActions>
            <Button onClick={props.onClose}>Keep connected</Button>
            <Button
              appearance="primary"
              onClick={() => {
                props.onClose();
                props.onConfirm();
              }}
              data-testid="confirm-disconnect"
            >
              Disconnect
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
