import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

type Output = (...args: unknown[]) => unknown;

/**
 * Holds `response`'s output from the first `writeHead()`, `flushHeaders()`,
 * `write()` or `end()` on, whoever calls it (a handler's return value, an
 * exception filter, `@Res()`, a stream), until `beforeOutput()` resolves;
 * then sends what was held, in order. `beforeOutput()` gets the headers
 * given to a held `writeHead()`, which win over those set before.
 *
 * If `beforeOutput()` rejects, what was held is dropped and `onFailure()`
 * answers instead. Nothing is wrapped until this is called, so a request
 * that never calls it pays nothing.
 */
export function holdResponseOutput(
  response: ServerResponse,
  beforeOutput: (
    givenHeaders: OutgoingHttpHeaders | undefined,
  ) => Promise<void>,
  onFailure: (error: unknown) => void,
): void {
  const { writeHead, flushHeaders, write, end } = response as unknown as Record<
    'writeHead' | 'flushHeaders' | 'write' | 'end',
    Output
  >;
  const held: { output: Output; args: unknown[] }[] = [];
  let released = false;

  const release = () => {
    released = true;
    let drained = true;
    for (const { output, args } of held) {
      const result = output.apply(response, args);
      if (output === write) {
        drained = result !== false;
      }
    }
    // A held write() said "wait for 'drain'"; if the real writes did not,
    // the response will not emit it by itself.
    if (drained && held.some(({ output }) => output === write)) {
      response.emit('drain');
    }
  };
  const fail = (error: unknown) => {
    released = true;
    onFailure(error);
  };
  /** Holds one call; `answer` is what the real method would have returned. */
  const hold = (output: Output, args: unknown[], answer: unknown) => {
    if (released) {
      return output.apply(response, args);
    }
    held.push({ output, args });
    if (held.length === 1) {
      const givenHeaders =
        output === writeHead ? headersGiven(args) : undefined;
      beforeOutput(givenHeaders).then(release, fail);
    }
    return answer;
  };

  Object.assign(response, {
    writeHead: (...args: unknown[]) => hold(writeHead, args, response),
    flushHeaders: (...args: unknown[]) => hold(flushHeaders, args, undefined),
    // false: the writer waits for 'drain', emitted once the output is sent.
    write: (...args: unknown[]) => hold(write, args, false),
    end: (...args: unknown[]) => hold(end, args, response),
  });
}

/** The headers object of `writeHead(status, [message], [headers])`, if any. */
function headersGiven(args: unknown[]): OutgoingHttpHeaders | undefined {
  return args.find(
    (arg): arg is OutgoingHttpHeaders =>
      typeof arg === 'object' && arg !== null && !Array.isArray(arg),
  );
}
