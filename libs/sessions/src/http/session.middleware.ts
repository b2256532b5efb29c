import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { SessionService } from '../session/session.service.js';
import { SESSIONS_OPTIONS } from '../sessions.constants.js';
import { HttpRequestSession } from './http-request-session.js';
import { SessionCommitService } from './session-commit.service.js';

/**
 * Opens each request's `HttpRequestSession` (nothing is loaded yet) and runs
 * the rest of the request in its context, for `SessionService.current()` and
 * `@CurrentSession()`; with `requestContext: false`, it attaches it to the
 * request instead, for `@CurrentSession()` alone. `SessionsModule` mounts
 * it on the HTTP adapter: with the adapter's `use()` on Express, through
 * hooks on Fastify (`addFastifyHooks()`).
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  /** Whether requests run in the context (the `requestContext` option). */
  readonly entersContext: boolean;
  private readonly cookieName: string;
  private readonly hold = (requestSession: HttpRequestSession): void =>
    this.commits.hold(requestSession);

  constructor(
    private readonly sessions: SessionService,
    private readonly commits: SessionCommitService,
    @Inject(SESSIONS_OPTIONS) options: ResolvedSessionsOptions,
  ) {
    this.cookieName = options.cookie.name;
    this.entersContext = options.requestContext;
  }

  use(
    request: IncomingMessage,
    response: ServerResponse,
    next: () => void,
  ): void {
    const requestSession = this.open(request, response);
    if (this.entersContext) {
      requestSession.enter(next);
    } else {
      requestSession.attachTo(request);
      next();
    }
  }

  /** The request session of a Node request and response, which loads nothing yet. */
  open(request: IncomingMessage, response: ServerResponse): HttpRequestSession {
    return new HttpRequestSession(
      request,
      response,
      this.sessions,
      this.cookieName,
      this.hold,
    );
  }
}
