import type { LoggerService } from '@nestjs/common';
import { FailureSummary, type SummaryTimer } from './failure-summary.js';

/** A logger that keeps its error lines, and a timer the test fires by hand. */
function summaryWithClock() {
  const lines: { message: string; stack?: string }[] = [];
  const logger = {
    error: (message: string, stack?: string) => lines.push({ message, stack }),
  } as LoggerService;
  let pending: (() => void) | undefined;
  const timer: SummaryTimer = (flush) => {
    pending = flush;
  };
  const summary = new FailureSummary(logger, 'requests failed', 5000, timer);
  const endWindow = () => {
    const flush = pending;
    pending = undefined;
    flush?.();
  };
  return { summary, lines, endWindow, waiting: () => pending !== undefined };
}

const refused = () =>
  new Error(
    'The session store could not load the session: connect ECONNREFUSED 127.0.0.1:5432',
  );

describe('FailureSummary', () => {
  it('logs the first failure with its stack, then one line per window for its repeats', () => {
    const { summary, lines, endWindow } = summaryWithClock();
    for (let i = 0; i < 313; i++) summary.report(refused());

    expect(lines).toHaveLength(1);
    expect(lines[0].message).toBe(refused().message);
    expect(lines[0].stack).toMatch(/^Error: The session store could not load/);

    endWindow();
    expect(lines[1]).toEqual({
      message:
        '312 requests failed in the last 5 s: The session store could not load the session: connect ECONNREFUSED 127.0.0.1:5432',
      stack: undefined,
    });
  });

  it('tells failures apart by message, and counts each', () => {
    const { summary, lines, endWindow } = summaryWithClock();
    summary.report(refused());
    summary.report(
      new Error('terminating connection due to administrator command'),
    );
    summary.report(refused());
    endWindow();

    expect(lines.map((line) => line.message)).toEqual([
      refused().message,
      'terminating connection due to administrator command',
      `1 requests failed in the last 5 s: ${refused().message}`,
    ]);
  });

  it('after a window without repeats, logs the next occurrence with its stack again, and stops its timer', () => {
    const { summary, lines, endWindow, waiting } = summaryWithClock();
    summary.report(refused());
    summary.report(refused());
    endWindow(); // the summary line
    endWindow(); // a quiet window: forgotten
    expect(waiting()).toBe(false);

    summary.report(refused());
    expect(lines).toHaveLength(3);
    expect(lines[2].stack).toBeDefined();
  });

  it('masks the credentials of a URL in a message and its stack', () => {
    const { summary, lines } = summaryWithClock();
    summary.report(new Error('cannot reach redis://user:hunter2@cache:6379'));
    expect(lines[0].message).toBe('cannot reach redis://***@cache:6379');
    expect(lines[0].stack).not.toContain('hunter2');
  });
});
