import { Spinner } from "@fluentui/react-components";
import type { SpinnerProps } from "@fluentui/react-components";
import { useEffect, useState } from "react";

/** How long a wait lasts before it is shown. */
export const NOTICEABLE_WAIT_MS = 300;

/**
 * A spinner for something being read: shown only once the wait is long enough to notice. Most
 * answers come in a few milliseconds (the app's start, the connection's state, the settings),
 * and a spinner flashed for that long is only a flicker.
 */
export function Loading(props: SpinnerProps) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setShown(true), NOTICEABLE_WAIT_MS);
    return () => clearTimeout(timer);
  }, []);
  return shown ? <Spinner {...props} /> : null;
}
