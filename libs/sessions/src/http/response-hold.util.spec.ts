import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  holdResponseOutput,
  prepareResponsePrototype,
} from './response-hold.util.js';

/**
 * Runs `test` against a server with `handler`, on a Node response class of
 * its own, and closes the server after.
 */
async function withServer(
  ServerResponseClass: typeof ServerResponse,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  test: (url: string) => Promise<void>,
): Promise<void> {
  const server = createServer({ ServerResponse: ServerResponseClass }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await test(`http://127.0.0.1:${port}/`);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/** Responses whose prototype is prepared once, as Express's `app.response` is. */
class PreparedResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {}
prepareResponsePrototype(PreparedResponse.prototype);

describe.each([
  ['a prepared prototype', PreparedResponse],
  ['a response of its own (wrapped per response)', ServerResponse],
])('holdResponseOutput, on %s', (_name, ResponseClass) => {
  it('sends the output only once beforeOutput() is done, headers included', async () => {
    const order: string[] = [];
    await withServer(
      ResponseClass,
      (_request, response) => {
        holdResponseOutput(
          response,
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            order.push('beforeOutput');
            response.setHeader('X-Committed', 'yes');
          },
          () => order.push('failure'),
        );
        response.setHeader('Content-Type', 'text/plain');
        response.write('one, ');
        response.write('two, ');
        order.push('written');
        response.end('three');
      },
      async (url) => {
        const answer = await fetch(url);
        expect(answer.headers.get('x-committed')).toBe('yes');
        expect(await answer.text()).toBe('one, two, three');
        expect(order).toEqual(['written', 'beforeOutput']);
      },
    );
  });

  it('patches the headers given to writeHead(), which win over those set before', async () => {
    await withServer(
      ResponseClass,
      (_request, response) => {
        holdResponseOutput(
          response,
          (givenHeaders) => {
            givenHeaders!['x-seen'] = String(givenHeaders!['x-given']);
            return Promise.resolve();
          },
          () => undefined,
        );
        response.writeHead(200, { 'x-given': 'by the handler' });
        response.end();
      },
      async (url) => {
        const answer = await fetch(url);
        expect(answer.headers.get('x-seen')).toBe('by the handler');
      },
    );
  });

  it('drops the held output and lets onFailure() answer when beforeOutput() fails', async () => {
    await withServer(
      ResponseClass,
      (_request, response) => {
        holdResponseOutput(
          response,
          () => Promise.reject(new Error('no commit')),
          (error) => {
            response.statusCode = 500;
            response.end((error as Error).message);
          },
        );
        response.end('the handler answer');
      },
      async (url) => {
        const answer = await fetch(url);
        expect(answer.status).toBe(500);
        expect(await answer.text()).toBe('no commit');
      },
    );
  });

  it('calls beforeOutput() when the response closes before any output', async () => {
    let handled!: () => void;
    const reached = new Promise<void>((resolve) => (handled = resolve));
    let committed!: () => void;
    const beforeOutputCalled = new Promise<void>(
      (resolve) => (committed = resolve),
    );
    await withServer(
      ResponseClass,
      (_request, response) => {
        holdResponseOutput(
          response,
          () => {
            committed();
            return Promise.resolve();
          },
          () => undefined,
        );
        handled(); // and never answers
      },
      async (url) => {
        const aborted = new AbortController();
        const answer = fetch(url, { signal: aborted.signal }).catch(
          () => undefined,
        );
        await reached;
        aborted.abort();
        await answer;
        await beforeOutputCalled;
      },
    );
  });

  it('leaves a response that is not held alone', async () => {
    await withServer(
      ResponseClass,
      (_request, response) => {
        response.end('straight out');
      },
      async (url) => {
        expect(await (await fetch(url)).text()).toBe('straight out');
      },
    );
  });
});
