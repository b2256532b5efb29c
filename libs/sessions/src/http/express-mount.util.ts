import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AbstractHttpAdapter } from '@nestjs/core';
import {
  OPEN_REQUEST_SESSION,
  type RequestSessionOpener,
} from './request-session-opener.js';
import { prepareResponsePrototype } from './response-hold.util.js';
import type { SessionMiddleware } from './session.middleware.js';

/**
 * Mounts the session middleware on an Express adapter (or any adapter that
 * takes Connect-style middleware) itself, as `app.use()` does: ahead of the
 * routes and of the middleware applied through `MiddlewareConsumer` (which
 * may use the session), and without the route matching and exception
 * wrapper that Nest's middleware gets on every request. Express's request
 * prototype (`app.request`) learns how to open a request's session, for
 * `@CurrentSession()` where requests run without the context.
 */
export function mountOnExpress(
  adapter: AbstractHttpAdapter,
  middleware: SessionMiddleware,
): void {
  // Express keeps the prototypes of its requests and responses.
  const app = adapter.getInstance<{ request?: object; response?: object }>();
  if (app.request !== undefined) {
    const open: RequestSessionOpener = (request, response) =>
      middleware.open(request as IncomingMessage, response as ServerResponse);
    Object.defineProperty(app.request, OPEN_REQUEST_SESSION, {
      value: open,
      configurable: true,
    });
  }
  if (app.response !== undefined) {
    prepareResponsePrototype(app.response);
  }
  adapter.use(
    (request: IncomingMessage, response: ServerResponse, next: () => void) =>
      middleware.use(request, response, next),
  );
}
