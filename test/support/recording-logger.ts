import type { LoggerService } from '@nestjs/common';

/** A logger that keeps what it is told, to assert on warnings. */
export class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];
  private readonly waiting: {
    pattern: RegExp;
    resolve: (message: string) => void;
  }[] = [];

  log(message: unknown, context?: string): void {
    this.record('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.record('error', message, rest.at(-1) as string | undefined);
  }
  warn(message: unknown, context?: string): void {
    this.record('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.record('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.record('verbose', message, context);
  }

  /**
   * The first message logged from now on that matches `pattern`, for work
   * that logs when it is done in the background.
   */
  next(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => this.waiting.push({ pattern, resolve }));
  }

  /** Everything logged, as one string, to check that nothing secret was. */
  text(): string {
    return this.lines.map((line) => `${line.level} ${line.message}`).join('\n');
  }

  private record(level: string, message: unknown, context?: string): void {
    const text =
      message instanceof Error
        ? `${message.message}\n${message.stack}`
        : String(message);
    this.lines.push({ level, message: text, context });
    for (const waiter of [...this.waiting]) {
      if (waiter.pattern.test(text)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve(text);
      }
    }
  }
}
