import type { SpinnerProps } from "@fluentui/react-components";
import { Suspense, lazy, useEffect, useState } from "react";

// The spinner's code is not part of the first page: it loads while a wait is still too short to
// show one.
const loadSpinner = () => import("./spinner");
const Spinner = lazy(() => loadSpinner().then((m) => ({ default: m.Spinner })));

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
    void loadSpinner();
    const timer = setTimeout(() => setShown(true), NOTICEABLE_WAIT_MS);
    return () => clearTimeout(timer);
  }, []);
  return shown ? (
    <Suspense fallback={null}>
      <Spinner {...props} />
    </Suspense>
  ) : null;
}
