import type { INestApplicationContext } from '@nestjs/common';
import { runClearSessionsCommand } from './clear-sessions.command.js';

function recordingOutput() {
  const lines = { out: [] as string[], err: [] as string[] };
  return {
    lines,
    output: {
      out: (line: string) => lines.out.push(line),
      err: (line: string) => lines.err.push(line),
    },
  };
}

const neverCreated = (): Promise<INestApplicationContext> =>
  Promise.reject(new Error('the app should not be created'));

describe('runClearSessionsCommand', () => {
  it('prints the usage with --help, without creating the app', async () => {
    const { lines, output } = recordingOutput();
    expect(
      await runClearSessionsCommand(neverCreated, ['--help'], output),
    ).toBe(0);
    expect(lines.out[0]).toMatch(/^Usage: clearsessions \[--dry-run\]/);
  });

  it.each([
    [['--now'], "clearsessions: Unknown option '--now'"],
    [
      ['--batch-size', 'ten'],
      "clearsessions: --batch-size must be a whole number from 1 to 100000, got 'ten'.",
    ],
    [
      ['--batch-size', '0'],
      "clearsessions: --batch-size must be a whole number from 1 to 100000, got '0'.",
    ],
    [
      ['--mode', 'fast'],
      "clearsessions: --mode must be 'raw' or 'events', got 'fast'.",
    ],
  ])('exits with 2 on %p', async (argv, message) => {
    const { lines, output } = recordingOutput();
    expect(await runClearSessionsCommand(neverCreated, argv, output)).toBe(2);
    expect(lines.err[0]).toContain(message);
    expect(lines.err[0]).toContain('Usage: clearsessions');
  });

  it('exits with 1 and the reason when the app cannot start', async () => {
    const { lines, output } = recordingOutput();
    const failing = () =>
      Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    expect(await runClearSessionsCommand(failing, [], output)).toBe(1);
    expect(lines.err).toEqual([
      'clearsessions failed: connect ECONNREFUSED 127.0.0.1:5432',
    ]);
  });
});
