import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

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
 * The holds in progress, from the request's first use of its session to its
 * output's release. A list, not a `WeakMap`: keying a map by a Node response
 * gives it an identity hash, which takes microseconds, as adding a property
 * does; the list is as long as the requests in flight that use the session.
 */
const holds: OutputHold[] = [];
/** Prototypes whose output methods already look for a hold. */
const preparedPrototypes = new WeakSet<object>();

/**
 * Holds `response`'s output from the first `writeHead()`, `flushHeaders()`,
 * `write()` or `end()` on, whoever calls it (a handler's return value, an
 * exception filter, `@Res()`, a stream), until `beforeOutput()` resolves;
 * then sends what was held, in order. `beforeOutput()` gets the headers
 * given to a held `writeHead()`, which win over those set before.
 *
 * If `beforeOutput()` rejects, what was held is dropped and `onFailure()`
 * answers instead. A request that never calls this pays nothing.
 */
export function holdResponseOutput(
  response: ServerResponse,
  beforeOutput: (
    givenHeaders: OutgoingHttpHeaders | undefined,
  ) => Promise<void>,
  onFailure: (error: unknown) => void,
): void {
  if (!preparedPrototypes.has(Object.getPrototypeOf(response) as object)) {
    wrapOutputMethods(response);
  }
  holds.push(new OutputHold(response, beforeOutput, onFailure));
}

/**
 * Lets the responses that inherit from `prototype` (Express's
 * `app.response`) be held without a property of their own: adding one to a
 * Node response, or changing its prototype, takes microseconds each time,
 * a good share of what a request that only reads its session costs.
 */
export function prepareResponsePrototype(prototype: object): void {
  if (!preparedPrototypes.has(prototype)) {
    wrapOutputMethods(prototype);
    preparedPrototypes.add(prototype);
  }
}

/** Has `target`'s output methods hand the calls of a held response to its hold. */
function wrapOutputMethods(target: object): void {
  const methods = target as Record<OutputMethod, Output>;
  for (const name of OUTPUT_METHODS) {
    const original = methods[name];
    methods[name] = function (this: object, ...args: unknown[]) {
      const hold = holds.find((candidate) => candidate.response === this);
      return hold === undefined
        ? original.apply(this, args)
        : hold.take(name, original, args);
    };
  }
}

/** One response's held output. */
class OutputHold {
  private readonly held: {
    name: OutputMethod;
    output: Output;
    args: unknown[];
  }[] = [];

  private started = false;

  constructor(
    readonly response: ServerResponse,
    private readonly beforeOutput: (
      givenHeaders: OutgoingHttpHeaders | undefined,
    ) => Promise<void>,
    private readonly onFailure: (error: unknown) => void,
  ) {
    // A response closed before any output (the client went away, say)
    // still gets `beforeOutput()`, and leaves the list.
    response.once('close', () => this.start(undefined));
  }

  /** Holds one call; answers as the real method would. */
  take(name: OutputMethod, output: Output, args: unknown[]): unknown {
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
    if (this.started) {
      return;
    }
    this.started = true;
    this.beforeOutput(givenHeaders).then(
      () => this.release(),
      (error: unknown) => {
        this.end();
        this.onFailure(error);
      },
    );
  }

  private release(): void {
    this.end();
    let drained = true;
    for (const { name, output, args } of this.held) {
      const result = output.apply(this.response, args);
      if (name === 'write') {
        drained = result !== false;
      }
    }
    // If the real writes did not ask to wait, no 'drain' would come.
    if (drained && this.held.some(({ name }) => name === 'write')) {
      this.response.emit('drain');
    }
  }

  /** Ends the hold: the response's output goes straight out again. */
  private end(): void {
    holds.splice(holds.indexOf(this), 1);
  }
}

/** The headers object of `writeHead(status, [message], [headers])`, if any. */
function headersGiven(args: unknown[]): OutgoingHttpHeaders | undefined {
  return args.find(
    (arg): arg is OutgoingHttpHeaders =>
      typeof arg === 'object' && arg !== null && !Array.isArray(arg),
  );
}
