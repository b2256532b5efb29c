import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { SessionContextError } from '../errors/session-context.error.js';
import type { SessionService } from '../session/session.service.js';
import { HttpRequestSession } from './http-request-session.js';

/** A request session of a fresh Node request; nothing here loads it. */
function requestSession(): HttpRequestSession {
  const request = new IncomingMessage(new Socket());
  return new HttpRequestSession(
    request,
    new ServerResponse(request),
    {} as SessionService,
    'sessionid',
    () => undefined,
  );
}

describe('HttpRequestSession.of()', () => {
  it('finds the request session attached to the request', () => {
    const attached = requestSession();
    const request = {};
    attached.attachTo(request);
    expect(HttpRequestSession.of(request)).toBe(attached);
  });

  it("finds the context's request session for its own request, Express's or Fastify's", () => {
    const current = requestSession();
    current.enter(() => {
      expect(HttpRequestSession.of(current.request)).toBe(current);
      expect(HttpRequestSession.of({ raw: current.request })).toBe(current);
    });
  });

  it("never takes another request's context for this request's", () => {
    const other = requestSession();
    other.enter(() => {
      expect(() => HttpRequestSession.of(requestSession().request)).toThrow(
        SessionContextError,
      );
    });
  });

  it('says there is no request session outside of any request', () => {
    expect(() => HttpRequestSession.of({})).toThrow(SessionContextError);
  });
});
