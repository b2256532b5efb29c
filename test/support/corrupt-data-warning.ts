import { Logger } from '@nestjs/common';
import { RecordingLogger } from './recording-logger.js';

/**
 * For a file that runs the store contract, whose corrupt-data case warns by
 * design: records Nest's logger for the whole file instead of printing it,
 * and adds a last test that the one warning was logged. Call it after
 * `describeSessionStoreContract()`.
 */
export function expectOneCorruptDataWarning(): void {
  const logger = new RecordingLogger();
  Logger.overrideLogger(logger);

  it('logged the corrupt session once, as a warning', () => {
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/^Session data corrupted/),
      }),
    ]);
  });
}
