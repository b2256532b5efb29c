import type { LoggerService } from '@nestjs/common';
import { maskCredentials } from './mask-credentials.js';

/** How often the repeats of a failure are summed up in one line. */
export const FAILURE_SUMMARY_WINDOW_MS = 5_000;

/** A timer `FailureSummary` can wait on; `setTimeout` by default. */
export type SummaryTimer = (flush: () => void, ms: number) => void;

const unrefTimer: SummaryTimer = (flush, ms) => {
  setTimeout(flush, ms).unref();
};

/**
 * Logs failures that repeat, as an outage of the store makes them (every
 * request fails the same way), in a few lines instead of a stack each:
 * - the first occurrence of a failure is logged with its stack;
 * - its repeats are counted, and every `windowMs` one line sums them up:
 *   "312 requests failed in the last 5 s: <message>";
 * - after a window without repeats, the next occurrence counts as a first.
 *
 * Failures are told apart by their message, with any URL credentials
 * masked; messages of the library's errors hold no session key or data.
 */
export class FailureSummary {
  /** Repeats of each failure since its last line, by message. */
  private readonly repeats = new Map<string, number>();
  private flushing = false;

  constructor(
    private readonly logger: LoggerService,
    /** What failed, in the plural, for the summary line: "requests failed". */
    private readonly what: string,
    private readonly windowMs = FAILURE_SUMMARY_WINDOW_MS,
    private readonly timer: SummaryTimer = unrefTimer,
  ) {}

  /** Records one failure; logs it now if it is the first of its kind. */
  report(error: unknown): void {
    const message = describe(error);
    const repeats = this.repeats.get(message);
    if (repeats === undefined) {
      this.repeats.set(message, 0);
      this.logger.error(
        message,
        error instanceof Error ? maskCredentials(error.stack ?? '') : undefined,
      );
    } else {
      this.repeats.set(message, repeats + 1);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.flushing) {
      this.flushing = true;
      this.timer(() => this.flush(), this.windowMs);
    }
  }

  /** One line per failure that repeated in the window; forgets the quiet ones. */
  private flush(): void {
    this.flushing = false;
    const seconds = Math.round(this.windowMs / 1000);
    for (const [message, repeats] of this.repeats) {
      if (repeats === 0) {
        this.repeats.delete(message);
        continue;
      }
      this.logger.error(
        `${repeats} ${this.what} in the last ${seconds} s: ${message}`,
      );
      this.repeats.set(message, 0);
    }
    if (this.repeats.size > 0) {
      this.scheduleFlush();
    }
  }
}

function describe(error: unknown): string {
  return maskCredentials(
    error instanceof Error ? error.message : String(error),
  );
}
