import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ResponseHold } from './response-hold.js';

/** Runs `test` against a server with `handler`, and closes the server after. */
async function withServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  test: (url: string) => Promise<void>,
): Promise<void> {
  const server = createServer(handler);
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

describe('ResponseHold', () => {
  it('sends the output only once beforeOutput() is done, headers included', async () => {
    const order: string[] = [];
    await withServer(
      (_request, response) => {
        let written!: () => void;
        const handlerDone = new Promise<void>((resolve) => (written = resolve));
        new ResponseHold(
          response,
          async () => {
            await handlerDone;
            order.push('beforeOutput');
            response.setHeader('X-Committed', 'yes');
          },
          () => order.push('failure'),
        );
        response.setHeader('Content-Type', 'text/plain');
        response.write('one, ');
        response.write('two, ');
        response.end('three');
        order.push('written');
        written();
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
      (_request, response) => {
        new ResponseHold(
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
      (_request, response) => {
        new ResponseHold(
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

  it('ends the response, and logs, when a held call throws once released', async () => {
    const errors: string[] = [];
    const spy = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => {
        errors.push(String(message));
      });
    try {
      await withServer(
        (_request, response) => {
          new ResponseHold(
            response,
            () => Promise.resolve(),
            () => undefined,
          );
          response.writeHead(200, { 'x-bad': 'line\nbreak' });
          response.end('never sent');
        },
        async (url) => {
          await expect(fetch(url)).rejects.toThrow();
        },
      );
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([
      expect.stringMatching(
        /^A response held for its session's commit could not be sent: Invalid character in header content \["x-bad"\]/,
      ),
    ]);
  });

  it('calls beforeOutput() when the response closes before any output', async () => {
    let handled!: () => void;
    const reached = new Promise<void>((resolve) => (handled = resolve));
    let committed!: () => void;
    const beforeOutputCalled = new Promise<void>(
      (resolve) => (committed = resolve),
    );
    await withServer(
      (_request, response) => {
        new ResponseHold(
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

  it('keeps a wrapper added before it, and one added after it, in the chain', async () => {
    const calls: string[] = [];
    await withServer(
      (_request, response) => {
        const wrap = (label: string) => {
          const end = response.end.bind(response) as (body: string) => void;
          (response as unknown as { end: (body: string) => void }).end = (
            body: string,
          ) => {
            calls.push(label);
            end(`${body} ${label}`);
          };
        };
        wrap('before');
        new ResponseHold(
          response,
          () => Promise.resolve(),
          () => undefined,
        );
        wrap('after');
        response.end('body');
      },
      async (url) => {
        expect(await (await fetch(url)).text()).toBe('body after before');
        expect(calls).toEqual(['after', 'before']);
      },
    );
  });

  it('leaves other responses alone', async () => {
    const wrapped: boolean[] = [];
    await withServer(
      (_request, response) => {
        if (wrapped.length === 0) {
          new ResponseHold(
            response,
            () => Promise.resolve(),
            () => undefined,
          );
        }
        wrapped.push(Object.hasOwn(response, 'end'));
        response.end('straight out');
      },
      async (url) => {
        expect(await (await fetch(url)).text()).toBe('straight out');
        expect(await (await fetch(url)).text()).toBe('straight out');
        expect(wrapped).toEqual([true, false]);
      },
    );
  });
});
