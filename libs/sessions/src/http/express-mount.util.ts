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
 *
 * Returns how to take the middleware off again, for apps whose requests turn
 * out to need no context (settled once every module is set up, after the
 * routes): there it would only call `next()`, a layer of Express's router
 * that every request would go through for nothing.
 */
export function mountOnExpress(
  adapter: AbstractHttpAdapter,
  middleware: SessionMiddleware,
): () => void {
  // Express keeps the prototypes of its requests and responses, and its
  // router (documented as `app.router` since Express 5) the layers in turn.
  const app = adapter.getInstance<{
    request?: object;
    response?: object;
    router?: { stack?: { handle?: unknown }[] };
  }>();
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
  const handle = (
    request: IncomingMessage,
    response: ServerResponse,
    next: () => void,
  ) => middleware.use(request, response, next);
  adapter.use(handle);
  return () => {
    // Elsewhere (an adapter without Express's router), the middleware stays.
    const layers = app.router?.stack ?? [];
    const index = layers.findIndex((layer) => layer.handle === handle);
    if (index !== -1) {
      layers.splice(index, 1);
    }
  };
}
