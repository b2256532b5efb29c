import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { runWithRequestSession } from '../session/session-context.js';
import {
  OPEN_REQUEST_SESSION,
  type RequestSessionOpener,
} from './request-session-opener.js';
import type { RequestSession } from './request-session.js';
import type { SessionMiddleware } from './session.middleware.js';

/** Where a Fastify request keeps its `RequestSession`. */
const REQUEST_SESSION = Symbol('nest-sessions:request-session');

type RequestWithSession = FastifyRequest & {
  [REQUEST_SESSION]: RequestSession | null;
};

/**
 * Gives every request of a Fastify instance its `RequestSession` through
 * Fastify's own hooks rather than `@fastify/middie`: once a single
 * middleware is mounted, middie copies a dozen properties onto every raw
 * request, which a request that never touches the session would pay for.
 * Where requests run without the context, the hooks do nothing, and the
 * request prototype's `OPEN_REQUEST_SESSION` (a getter Fastify declares)
 * opens a request's session for `@CurrentSession()`.
 *
 * - `onRequest` (404s and `@Res()` routes included) opens the request's
 *   session, which loads nothing yet, and runs the rest of the request in
 *   its context. The response is then held as on any Node response (see
 *   `holdResponseOutput()`), so whatever sends it (`reply.send()`, a stream,
 *   `reply.raw`) waits for the commit.
 * - `preValidation` enters that context again: Fastify reads a body in the
 *   socket's own context, which the handler, guards, interceptors and
 *   exception filters would otherwise inherit.
 *
 * Nest middleware runs in middie's `onRequest` hook, which the adapter adds
 * before any module is configured, so ahead of these: it cannot use the
 * session on Fastify.
 */
export function mountOnFastify(
  instance: FastifyInstance,
  middleware: SessionMiddleware,
): void {
  const open: RequestSessionOpener = (request, reply) =>
    middleware.open(
      (request as FastifyRequest).raw,
      (reply as FastifyReply).raw,
    );
  instance.decorateRequest(OPEN_REQUEST_SESSION, { getter: () => open });
  // Declared up front, so that setting it keeps the requests' shape.
  instance.decorateRequest(REQUEST_SESSION, null);
  instance.addHook('onRequest', (request, reply, done) => {
    if (!middleware.entersContext) {
      done();
      return;
    }
    const requestSession = middleware.open(request.raw, reply.raw);
    (request as RequestWithSession)[REQUEST_SESSION] = requestSession;
    runWithRequestSession(requestSession, done);
  });
  instance.addHook('preValidation', (request, _reply, done) => {
    const requestSession = (request as RequestWithSession)[REQUEST_SESSION];
    if (requestSession === null) {
      done();
    } else {
      runWithRequestSession(requestSession, done);
    }
  });
}
