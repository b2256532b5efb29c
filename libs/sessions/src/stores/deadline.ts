// Imported rather than the globals: test suites that fake timers replace
// the global ones, and a deadline must still run out.
import { clearTimeout, setTimeout } from 'node:timers';

/**
 * `work`'s outcome, or a rejection with `timedOut()` if it has not settled
 * within `ms`; the timer is cleared either way. (`work` goes on: only its
 * outcome is no longer awaited.)
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  timedOut: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
