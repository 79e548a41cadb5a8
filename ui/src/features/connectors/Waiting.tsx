import { Body1, Button, Caption1, Field, Input, MessageBar, MessageBarBody, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { Copy20Regular } from "@fluentui/react-icons";

import type { SignInWaiting } from "../../bindings/SignInWaiting";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  waiting: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  url: { flexGrow: 1 },
});

/** While the browser is out: what to do there, the address to open by hand, and Cancel. */
export function Waiting(props: { waiting: SignInWaiting | null; onCancel: () => void; instruction: string }) {
  const styles = useStyles();
  const { waiting, onCancel: cancel } = props;
  return (
    <div className={styles.root} data-testid="waiting-for-browser">
      <div className={styles.waiting}>
        <Spinner size="small" />
        <Body1>{props.instruction}</Body1>
      </div>
      {waiting?.browser_problem && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>The browser could not be opened: {waiting.browser_problem}</MessageBarBody>
        </MessageBar>
      )}
      {waiting && (
        <div className={styles.actions}>
          <Field label="Browser did not open? Open this address yourself" className={styles.url}>
            <Input readOnly value={waiting.authorize_url} data-testid="sign-in-address" />
          </Field>
        </div>
      )}
      <div className={styles.actions}>
        {waiting && (
          <Button icon={<Copy20Regular />} onClick={() => void navigator.clipboard?.writeText(waiting.authorize_url)}>
            Copy address
          </Button>
        )}
        <Button onClick={cancel} data-testid="cancel-connect">
          Cancel
        </Button>
      </div>
      <Caption1>The app stops waiting after five minutes.</Caption1>
    </div>
  );
}

