import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  holdResponseOutput,
  prepareResponsePrototype,
} from './response-hold.util.js';

/** A server whose handler is set per test, on a Node response class of its own. */
async function serve(
  ServerResponseClass: typeof ServerResponse,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer({ ServerResponse: ServerResponseClass }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
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
    const { url, close } = await serve(ResponseClass, (_request, response) => {
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
    });
    try {
      const answer = await fetch(url);
      expect(answer.headers.get('x-committed')).toBe('yes');
      expect(await answer.text()).toBe('one, two, three');
      expect(order).toEqual(['written', 'beforeOutput']);
    } finally {
      await close();
    }
  });

  it('patches the headers given to writeHead(), which win over those set before', async () => {
    const { url, close } = await serve(ResponseClass, (_request, response) => {
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
    });
    try {
      const answer = await fetch(url);
      expect(answer.headers.get('x-seen')).toBe('by the handler');
    } finally {
      await close();
    }
  });

  it('drops the held output and lets onFailure() answer when beforeOutput() fails', async () => {
    const { url, close } = await serve(ResponseClass, (_request, response) => {
      holdResponseOutput(
        response,
        () => Promise.reject(new Error('no commit')),
        (error) => {
          response.statusCode = 500;
          response.end((error as Error).message);
        },
      );
      response.end('the handler answer');
    });
    try {
      const answer = await fetch(url);
      expect(answer.status).toBe(500);
      expect(await answer.text()).toBe('no commit');
    } finally {
      await close();
    }
  });

  it('calls beforeOutput() when the response closes before any output', async () => {
    let handled!: () => void;
    const reached = new Promise<void>((resolve) => (handled = resolve));
    let committed!: () => void;
    const beforeOutputCalled = new Promise<void>(
      (resolve) => (committed = resolve),
    );
    const { url, close } = await serve(ResponseClass, (_request, response) => {
      holdResponseOutput(
        response,
        () => {
          committed();
          return Promise.resolve();
        },
        () => undefined,
      );
      handled(); // and never answers
    });
    try {
      const aborted = new AbortController();
      const answer = fetch(url, { signal: aborted.signal }).catch(
        () => undefined,
      );
      await reached;
      aborted.abort();
      await answer;
      await beforeOutputCalled;
    } finally {
      await close();
    }
  });

  it('leaves a response that is not held alone', async () => {
    const { url, close } = await serve(ResponseClass, (_request, response) => {
      response.end('straight out');
    });
    try {
      expect(await (await fetch(url)).text()).toBe('straight out');
    } finally {
      await close();
    }
  });
});
