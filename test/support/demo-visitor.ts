import type { Server } from 'node:http';
import request from 'supertest';
import { sessionKeyFrom } from './test-app.js';

/** A visitor of the demo: a cookie jar, and the key of the session in it. */
export interface DemoVisitor {
  readonly visitor: ReturnType<typeof request.agent>;
  readonly key: string;
}

/**
 * A new visitor of the demo with a session, whose every request carries the
 * session's CSRF token (from `GET /csrf`) in the `X-CSRFToken` header, as
 * the demo's pages give one to each form.
 */
export async function demoVisitor(server: Server): Promise<DemoVisitor> {
  const visitor = request.agent(server);
  const response = await renewCsrfToken(visitor);
  return { visitor, key: sessionKeyFrom(response.headers)! };
}

/**
 * Gives the visitor's requests the session's current CSRF token, as a page
 * opened after a login (which gives the session a new secret) would.
 */
export async function renewCsrfToken(
  visitor: DemoVisitor['visitor'],
): Promise<request.Response> {
  const response = await visitor.get('/csrf').expect(200);
  visitor.set('X-CSRFToken', (response.body as { token: string }).token);
  return response;
}
