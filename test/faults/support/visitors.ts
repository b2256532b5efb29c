import { Agent, request } from 'node:http';

/** What one request got: a whole response, or an error. */
export interface Outcome {
  readonly path: string;
  /** The status, when a whole response came. */
  readonly status?: number;
  readonly body?: string;
  /** The error code (`ECONNRESET`, `ECONNREFUSED`...) when none came. */
  readonly error?: string;
  /** Whether it was written on a kept-alive connection that had served a request before. */
  readonly reusedSocket: boolean;
  /** When it was sent, and when its outcome came (`performance.now()`). */
  readonly sentAt: number;
  readonly settledAt: number;
}

/**
 * A browser-like client: one keep-alive connection at a time, and the
 * session cookie the server gives it.
 */
export class Visitor {
  cookie: string | undefined;
  readonly outcomes: Outcome[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly baseUrl: string) {}

  /** One GET of `path`, its outcome recorded. */
  get(path: string): Promise<Outcome> {
    return this.send('GET', path);
  }

  /** One request with `body` (sent as is) and `headers`. */
  send(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Outcome> {
    const sentAt = performance.now();
    return new Promise((settle) => {
      const outgoing = request(
        new URL(path, this.baseUrl),
        {
          method,
          agent: this.agent,
          headers: {
            ...(this.cookie === undefined ? {} : { cookie: this.cookie }),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error: NodeJS.ErrnoException) =>
            done({ error: error.code ?? error.message }),
          );
          response.on('end', () => {
            const setCookie = response.headers['set-cookie']?.[0];
            if (setCookie !== undefined) {
              this.cookie = setCookie.split(';')[0];
            }
            done({
              status: response.statusCode,
              body: Buffer.concat(chunks).toString(),
            });
          });
        },
      );
      let settled = false;
      const done = (result: Partial<Outcome>) => {
        if (settled) {
          return;
        }
        settled = true;
        const outcome: Outcome = {
          path,
          reusedSocket: outgoing.reusedSocket,
          sentAt,
          settledAt: performance.now(),
          ...result,
        };
        this.outcomes.push(outcome);
        settle(outcome);
      };
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        done({ error: error.code ?? error.message }),
      );
      outgoing.end(body);
    });
  }

  /** Closes its connection. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * Visitors requesting `path` over and over, each waiting for its answer
 * before the next, until `stop()`; or until a request is refused, with
 * `untilRefused`.
 */
export class Load {
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly waiting = new Set<(outcome: Outcome) => void>();
  /** Every outcome so far, of all visitors, in the order they came. */
  readonly outcomes: Outcome[] = [];

  constructor(
    readonly visitors: readonly Visitor[],
    path: string | ((visitor: Visitor) => string),
    { untilRefused = false } = {},
  ) {
    const pathOf = typeof path === 'string' ? () => path : path;
    this.loops = visitors.map(async (visitor) => {
      while (this.running) {
        const outcome = await visitor.get(pathOf(visitor));
        this.outcomes.push(outcome);
        for (const check of [...this.waiting]) check(outcome);
        if (untilRefused && outcome.error === 'ECONNREFUSED') {
          return;
        }
      }
    });
  }

  /**
   * The first outcome from now on of which `condition` holds; rejects,
   * naming `what`, if none comes within `deadlineMs`.
   */
  waitFor(
    what: string,
    condition: (outcome: Outcome) => boolean,
    deadlineMs = 30_000,
  ): Promise<Outcome> {
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.waiting.delete(check);
        fail(new Error(`${what}: not within ${deadlineMs} ms`));
      }, deadlineMs);
      const check = (outcome: Outcome) => {
        if (condition(outcome)) {
          clearTimeout(timer);
          this.waiting.delete(check);
          done(outcome);
        }
      };
      this.waiting.add(check);
    });
  }

  /** Resolves after `count` more outcomes of which `condition` holds. */
  async waitForMany(
    what: string,
    count: number,
    condition: (outcome: Outcome) => boolean,
  ): Promise<void> {
    let seen = 0;
    await this.waitFor(
      what,
      (outcome) => condition(outcome) && ++seen >= count,
    );
  }

  /** Resolves once every visitor has stopped; closes their connections. */
  async stop(): Promise<void> {
    this.running = false;
    await this.finished();
  }

  /** Resolves when all visitors have stopped (by themselves, with `untilRefused`); closes their connections. */
  async finished(): Promise<void> {
    await Promise.all(this.loops);
    this.visitors.forEach((visitor) => visitor.close());
  }
}

/** `count` visitors of `baseUrl`, each with a session of its own (made by a GET of `path`). */
export async function visitorsWithSessions(
  baseUrl: string,
  count: number,
  path: string,
): Promise<Visitor[]> {
  const visitors = Array.from({ length: count }, () => new Visitor(baseUrl));
  await Promise.all(visitors.map((visitor) => visitor.get(path)));
  for (const visitor of visitors) {
    if (visitor.cookie === undefined) {
      throw new Error(`${path} gave no session cookie`);
    }
  }
  return visitors;
}

/** Outcomes counted by what they got: `200`, `503`, `ECONNRESET`... */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, error } of outcomes) {
    const key = error ?? String(status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Whether an outcome is a 200. */
export function isOk(outcome: Outcome): boolean {
  return outcome.status === 200;
}

/** The name the demo keeps in `visitor`'s session (`GET /get/`). */
export async function storedName(
  visitor: Visitor,
): Promise<string | undefined> {
  const outcome = await visitor.get('/get/');
  return (JSON.parse(outcome.body ?? '{}') as { name?: string }).name;
}
