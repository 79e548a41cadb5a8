import { useEffect } from "react";

import type { LinkEvent } from "../bindings/LinkEvent";
import type { Route } from "../bindings/Route";
import { commands, onDeepLink } from "../ipc/commands";

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
    void (async () => {
      const unlisten = await onDeepLink((event) => {
        handle(event);
        // The shell also kept it for a window that was still loading; it is handled now.
        void commands.takePendingLink();
      });
      if (stopped) {
        unlisten();
        return;
      }
      stop = unlisten;
      // Only now ask for a link that arrived before anyone listened: asking earlier could miss
      // one that arrives in between.
      handle(await commands.takePendingLink());
    })();
    return () => {
      stopped = true;
      stop?.();
    };
  }, [navigate, onRejected]);
}
