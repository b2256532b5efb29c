import type { LoggerService } from '@nestjs/common';

/** A logger that keeps what it is told, to assert on warnings. */
export class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];

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

  /** Everything logged, as one string, to check that nothing secret was. */
  text(): string {
    return this.lines.map((line) => `${line.level} ${line.message}`).join('\n');
  }

  private record(level: string, message: unknown, context?: string): void {
    this.lines.push({
      level,
      message:
        message instanceof Error
          ? `${message.message}\n${message.stack}`
          : String(message),
      context,
    });
  }
}
