import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArgumentsHost } from '@nestjs/common';
import { type AbstractHttpAdapter, BaseExceptionFilter } from '@nestjs/core';

/** Headers that describe the body the failed response would have had. */
const BODY_HEADER = /^(content-|etag$|last-modified$|transfer-encoding$)/;

/**
 * Answers `error` as Nest's own exception layer would have, had it been
 * thrown by the handler (an HTTP-shaped error with its status and message;
 * any other with a logged 500), in place of the response the handler made:
 * the headers that described that response's body are dropped.
 */
export function replyWithError(
  adapter: AbstractHttpAdapter,
  request: IncomingMessage,
  response: ServerResponse,
  error: unknown,
): void {
  for (const name of response.getHeaderNames()) {
    if (BODY_HEADER.test(name)) {
      response.removeHeader(name);
    }
  }
  new BaseExceptionFilter(adapter).catch(error, httpHost(request, response));
}

/** The `ArgumentsHost` of an HTTP request, as exception filters get it. */
function httpHost(
  request: IncomingMessage,
  response: ServerResponse,
): ArgumentsHost {
  const args = [request, response];
  const http = {
    getRequest: () => request,
    getResponse: () => response,
    getNext: () => undefined,
  };
  return {
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    getType: () => 'http',
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new Error('Not an RPC context.');
    },
    switchToWs: () => {
      throw new Error('Not a WebSocket context.');
    },
  } as ArgumentsHost;
}
