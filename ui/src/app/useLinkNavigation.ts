import { useEffect } from "react";

import type { LinkEvent } from "../bindings/LinkEvent";
import type { Route } from "../bindings/Route";
import { commands, onLink } from "../ipc/commands";

/**
 * Opens the page of every ox-teams:// link the app receives: the one it was started with, and
 * each one a second launch hands over. A link the app cannot open goes to `onRejected`.
 */
export function useLinkNavigation(
  navigate: (route: Route) => void,
  onRejected: (message: string) => void,
): void {
  useEffect(() => {
    let stopped = false;
    let stop: (() => void) | undefined;
    const handle = (event: LinkEvent | null) => {
      if (stopped || event === null) return;
      if (event.kind === "open") navigate(event.route);
      else onRejected(event.message);
    };
    void onLink((event) => {
      handle(event);
      // The shell also keeps the last link for a window that was still loading; it has been
      // handled now.
      void commands.takePendingLink();
    }).then((unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    });
    void commands.takePendingLink().then(handle);
    return () => {
      stopped = true;
      stop?.();
    };
  }, [navigate, onRejected]);
}
