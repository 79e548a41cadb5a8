/**
 * The first page's reads, asked for all at once before React draws anything, so that the
 * window's first frame already shows their answers. Without them the Connectors page was drawn
 * three times at start (spinners, then half the answers, then the rest); without a GPU WebKit
 * paints each frame on the CPU, about 50 ms each for this page (issue 16).
 *
 * An answer is kept only for the hook that renders first with it; whatever the first frame did
 * not use is dropped when the app has mounted (`forgetFirstReads`), so a page opened later
 * always asks again. A read that has not answered within the wait is left to its hook, which
 * asks as it always did: a slow keychain must not keep the window blank.
 */

export type Answer<T> = { ok: true; value: T } | { ok: false; error: unknown };

type Read = () => Promise<unknown>;

const answers = new Map<Read, Answer<unknown>>();
let listening = false;

/** Asks every read at once and resolves when all have answered, or after `waitMs`. */
export async function readFirst(reads: Read[], waitMs: number): Promise<void> {
  listening = true;
  const asked = reads.map((read) =>
    read().then(
      (value) => listening && answers.set(read, { ok: true, value }),
      (error: unknown) => listening && answers.set(read, { ok: false, error }),
    ),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  await Promise.race([Promise.all(asked), waited]);
  clearTimeout(timer);
  // An answer arriving after this is not kept: the page has drawn without it and asks again.
  listening = false;
}

/** The answer `read` gave before the window first drew, once; `undefined` if none. */
export function takeFirstRead<T>(read: () => Promise<T>): Answer<T> | undefined {
  const answer = answers.get(read) as Answer<T> | undefined;
  answers.delete(read);
  return answer;
}

/** Drops the answers the first frame did not use. */
export function forgetFirstReads(): void {
  listening = false;
  answers.clear();
}

/** What a failed read says, as the hooks show it. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
