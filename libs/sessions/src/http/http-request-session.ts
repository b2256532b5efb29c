import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionContextError } from '../errors/session-context.error.js';
import { RequestSession } from '../session/request-session.js';
import type { SessionService } from '../session/session.service.js';
import type { Session } from '../session/session.js';
import { readCookie } from './http-headers.js';

/** Where a request that runs without the context keeps its request session. */
const ATTACHED = Symbol('nest-sessions:request-session');

type Attached = { [ATTACHED]?: HttpRequestSession | null };

/**
 * The request session of one HTTP request: the cookie the client sent, and
 * the session, loaded only when something asks for it, once. Once it is
 * asked for, `firstUsed()` is told (`SessionCommitService.hold()`: the
 * response's output then waits for the session's commit).
 */
export class HttpRequestSession extends RequestSession {
  /** The property, on the adapter's request, of `attachTo()`. */
  static readonly property: symbol = ATTACHED;

  private loading: Promise<Session> | undefined;
  private cookie: string | undefined | null = null;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    private readonly sessions: SessionService,
    private readonly cookieName: string,
    private readonly firstUsed: (requestSession: HttpRequestSession) => void,
  ) {
    super();
  }

  /**
   * The request session of `request` (the adapter's request being handled,
   * Express's or Fastify's): the one attached to it, or else the context's,
   * if it is this request's. A context another request's code carried here
   * is never taken for this request's.
   */
  static of(request: object): HttpRequestSession {
    const attached = (request as Attached)[ATTACHED];
    if (attached) {
      return attached;
    }
    const current = RequestSession.current();
    if (
      current instanceof HttpRequestSession &&
      (current.request === request ||
        current.request === (request as { raw?: unknown }).raw)
    ) {
      return current;
    }
    throw new SessionContextError('outside');
  }

  /** Keeps this request session on `request`, for `of()` without the context. */
  attachTo(request: object): void {
    (request as Attached)[ATTACHED] = this;
  }

  /** The session cookie's value as the client sent it, if it sent one. */
  get cookieValue(): string | undefined {
    if (this.cookie === null) {
      this.cookie = readCookie(this.request.headers.cookie, this.cookieName);
    }
    return this.cookie;
  }

  /**
   * The request's session: the stored one the cookie names, or a new empty
   * one when the cookie is missing, malformed, unknown or expired.
   */
  session(): Promise<Session> {
    if (this.loading === undefined) {
      this.loading = this.load();
      this.firstUsed(this);
    }
    return this.loading;
  }

  /**
   * The id of the user logged in on the request's session, checked as
   * `SessionService.userId()` checks it; `null` for none.
   */
  async userId(): Promise<string | null> {
    return this.sessions.userId(await this.session());
  }

  /** The session, if the request asked for it; `undefined` otherwise. */
  get requested(): Promise<Session> | undefined {
    return this.loading;
  }

  private async load(): Promise<Session> {
    const key = this.cookieValue;
    const stored = key === undefined ? null : await this.sessions.load(key);
    return stored ?? this.sessions.create();
  }
}
