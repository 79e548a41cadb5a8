import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Loading, NOTICEABLE_WAIT_MS } from "./Loading";

describe("Loading", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows nothing for a wait too short to notice, then the spinner with its label", async () => {
    render(
      <FluentProvider theme={webLightTheme}>
        <Loading label="Checking the connection…" />
      </FluentProvider>,
    );
    act(() => vi.advanceTimersByTime(NOTICEABLE_WAIT_MS - 1));
    expect(screen.queryByText("Checking the connection…")).not.toBeInTheDocument();
    act(() => vi.advanceTimersByTime(1));
    // The spinner's code loads while the wait is too short to show (a module, not a timer).
    await act(async () => {
      await import("./spinner");
    });
    expect(screen.getByText("Checking the connection…")).toBeInTheDocument();
  });
});
