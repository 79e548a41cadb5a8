import { useEffect, useState } from "react";

import type { SignInWaiting } from "../../bindings/SignInWaiting";
import { onSignInWaiting } from "../../ipc/commands";

/** Where the core sent the browser for the sign-in or consent under way (null when none). */
export function useSignInWaiting(): [SignInWaiting | null, (waiting: SignInWaiting | null) => void] {
  const [waiting, setWaiting] = useState<SignInWaiting | null>(null);
  useEffect(() => {
    let stop: (() => void) | undefined;
    let stopped = false;
    void onSignInWaiting(setWaiting).then((unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    });
    return () => {
      stopped = true;
      stop?.();
    };
  }, []);
  return [waiting, setWaiting];
}
