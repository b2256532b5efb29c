import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpRequestSession } from './http-request-session.js';
import type { SessionMiddleware } from './session.middleware.js';

type RequestWithSession = FastifyRequest & Record<symbol, HttpRequestSession>;

/**
 * Gives every request of a Fastify instance its request session through
 * Fastify's own hooks rather than `@fastify/middie`: once a single
 * middleware is mounted, middie copies a dozen properties onto every raw
 * request, which a request that never touches the session would pay for.
 *
 * - `onRequest` (404s and `@Res()` routes included) opens the request's
 *   session, which loads nothing yet, keeps it on the request (a property
 *   declared with `decorateRequest()`, so requests keep their shape) and
 *   runs the rest of the request in its context. The response is held as
 *   any Node response is (`ResponseHold`), so whatever sends it
 *   (`reply.send()`, a stream, `reply.raw`) waits for the commit.
 * - `preValidation` enters that context again: Fastify reads a body in the
 *   socket's own context, which the handler, guards, interceptors and
 *   exception filters would otherwise inherit.
 *
 * Nest middleware runs in middie's `onRequest` hook, which the adapter adds
 * before any module is configured, so ahead of these: it cannot use the
 * session on Fastify.
 */
export function addFastifyHooks(
  instance: FastifyInstance,
  middleware: SessionMiddleware,
): void {
  const property = HttpRequestSession.property;
  instance.decorateRequest(property, null);
  instance.addHook('onRequest', (request, reply, done) => {
    const requestSession = middleware.open(request.raw, reply.raw);
    requestSession.attachTo(request);
    if (middleware.entersContext) {
      requestSession.enter(done);
    } else {
      done();
    }
  });
  if (middleware.entersContext) {
    instance.addHook('preValidation', (request, _reply, done) => {
      (request as RequestWithSession)[property].enter(done);
    });
  }
}
