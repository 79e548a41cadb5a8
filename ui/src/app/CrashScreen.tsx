import { Body1, Button, MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { Component } from "react";
import type { ErrorInfo, ReactNode } from "react";

/** A bug in a page shows what broke, with a way back, instead of an empty window. */
export class CrashScreen extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("the window crashed", error, info.componentStack);
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div style={{ padding: 32, maxWidth: 720 }} data-testid="crash">
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>This page stopped working</MessageBarTitle>
            <Body1>
              Nothing was lost: queued messages keep being sent. Please report this message to the developers:{" "}
              <code>{this.state.error.message}</code>
            </Body1>
          </MessageBarBody>
        </MessageBar>
        <Button style={{ marginTop: 16 }} appearance="primary" onClick={() => this.setState({ error: null })}>
          Try again
        </Button>
      </div>
    );
  }
}
