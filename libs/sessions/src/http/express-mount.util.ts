import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { prepareResponsePrototype } from './response-hold.util.js';
import type { SessionMiddleware } from './session.middleware.js';

/**
 * Mounts the session middleware on an Express adapter (or any adapter that
 * takes Connect-style middleware) itself, as `app.use()` does: ahead of the
 * routes and of the middleware applied through `MiddlewareConsumer` (which
 * may use the session), and without the route matching and exception
 * wrapper that Nest's middleware gets on every request, which cost a request
 * that never touches the session as much as the rest of the middleware does.
 */
export function mountOnExpress(
  adapter: AbstractHttpAdapter,
  middleware: SessionMiddleware,
): void {
  // Express keeps the prototype of its responses as `app.response`.
  const responses = adapter.getInstance<{ response?: object }>().response;
  if (responses !== undefined) {
    prepareResponsePrototype(responses);
  }
  adapter.use(
    (request: IncomingMessage, response: ServerResponse, next: () => void) =>
      middleware.use(request, response, next),
  );
}
