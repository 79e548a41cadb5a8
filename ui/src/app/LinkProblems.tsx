import { Toast, ToastBody, ToastTitle, Toaster, useId, useToastController } from "@fluentui/react-components";
import { useEffect } from "react";

export interface LinkProblem {
  /** Counts up, so the same message twice is shown twice. */
  serial: number;
  message: string;
}

/**
 * Says, in a toast, why a link could not be opened. The shell loads this only once a link is
 * rejected: the toast machinery is not part of the first page.
 */
export function LinkProblems(props: { problem: LinkProblem }) {
  const toasterId = useId("link-problems");
  const { dispatchToast } = useToastController(toasterId);
  const { serial, message } = props.problem;
  useEffect(() => {
    dispatchToast(
      <Toast>
        <ToastTitle>This link cannot be opened</ToastTitle>
        <ToastBody>{message}</ToastBody>
      </Toast>,
      { intent: "warning", timeout: 8000 },
    );
  }, [dispatchToast, serial, message]);
  return <Toaster toasterId={toasterId} position="top-end" />;
}
