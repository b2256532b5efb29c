import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { SESSIONS_LOGGER_CONTEXT } from '../sessions.constants.js';

const logger = new Logger(SESSIONS_LOGGER_CONTEXT);

type Output = (...args: unknown[]) => unknown;
/** The methods through which a response's headers and body go out. */
type OutputMethod = 'writeHead' | 'flushHeaders' | 'write' | 'end';
const OUTPUT_METHODS: readonly OutputMethod[] = [
  'writeHead',
  'flushHeaders',
  'write',
  'end',
];

/**
 * Holds one response's output from its first `writeHead()`,
 * `flushHeaders()`, `write()` or `end()` on, whoever calls it (a handler's
 * return value, an exception filter, `@Res()`, a stream, Fastify's reply),
 * until `beforeOutput()` resolves; then sends what was held, in order.
 * `beforeOutput()` gets the headers given to a held `writeHead()`, which win
 * over those set before. If `beforeOutput()` rejects, what was held is
 * dropped and `onFailure()` answers instead.
 *
 * It wraps the output methods of this one response, as express-session does
 * (through `on-headers`), and only once its session is first used: other
 * responses are left as they are. Once released, the wrappers pass every
 * call straight on, so wrappers that others add later keep working.
 */
export class ResponseHold {
  private readonly held: {
    name: OutputMethod;
    output: Output;
    args: unknown[];
  }[] = [];

  private state: 'waiting' | 'holding' | 'released' = 'waiting';

  constructor(
    private readonly response: ServerResponse,
    private readonly beforeOutput: (
      givenHeaders: OutgoingHttpHeaders | undefined,
    ) => Promise<void>,
    private readonly onFailure: (error: unknown) => void,
  ) {
    const methods = response as unknown as Record<OutputMethod, Output>;
    for (const name of OUTPUT_METHODS) {
      // The response's own wrapper, if something wrapped it before us.
      const output = methods[name];
      methods[name] = (...args: unknown[]) =>
        this.state === 'released'
          ? output.apply(response, args)
          : this.take(name, output, args);
    }
    // A response closed before any output (the client went away, say)
    // still gets `beforeOutput()`.
    response.once('close', () => this.start(undefined));
  }

  /** Holds one call; answers as the real method would. */
  private take(name: OutputMethod, output: Output, args: unknown[]): unknown {
    this.held.push({ name, output, args });
    this.start(name === 'writeHead' ? headersGiven(args) : undefined);
    // write() asks the writer to wait for 'drain', emitted once released.
    return name === 'write'
      ? false
      : name === 'flushHeaders'
        ? undefined
        : this.response;
  }

  private start(givenHeaders: OutgoingHttpHeaders | undefined): void {
    if (this.state !== 'waiting') {
      return;
    }
    this.state = 'holding';
    this.beforeOutput(givenHeaders).then(
      () => this.release(),
      (error: unknown) => {
        this.state = 'released';
        this.held.length = 0;
        this.onFailure(error);
      },
    );
  }

  private release(): void {
    this.state = 'released';
    const held = this.held.splice(0);
    let drained = true;
    try {
      for (const { name, output, args } of held) {
        const result = output.apply(this.response, args);
        if (name === 'write') {
          drained = result !== false;
        }
      }
    } catch (error) {
      // A held call the response refuses (a bad header, a bad status code)
      // would have thrown at its caller; now nobody can catch it, and the
      // calls after it will not come: the response ends here.
      logger.error(
        `A response held for its session's commit could not be sent: ${(error as Error).message}`,
        (error as Error).stack,
      );
      this.response.destroy(error as Error);
      return;
    }
    // If the real writes did not ask to wait, no 'drain' would come.
    if (drained && held.some(({ name }) => name === 'write')) {
      this.response.emit('drain');
    }
  }
}

/** The headers object of `writeHead(status, [message], [headers])`, if any. */
function headersGiven(args: unknown[]): OutgoingHttpHeaders | undefined {
  return args.find(
    (arg): arg is OutgoingHttpHeaders =>
      typeof arg === 'object' && arg !== null && !Array.isArray(arg),
  );
}
