import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { RequestContextService } from '../session/request-context.service.js';
import { runWithRequestSession } from '../session/session-context.js';
import { SessionService } from '../session/session.service.js';
import { SESSIONS_OPTIONS } from '../sessions.constants.js';
import { RequestSession } from './request-session.js';
import { SessionCommitService } from './session-commit.service.js';

/**
 * Opens each request's `RequestSession` (nothing is loaded yet). Where the
 * app's requests run in the context (`RequestContextService`), it runs the
 * rest of every request in it, for `SessionService.current()` and
 * `@CurrentSession()`; elsewhere it does nothing per request (on Express it
 * is taken off the router, see `mountOnExpress()`), and
 * `@CurrentSession()` opens the request's session itself. Mounted on the
 * HTTP adapter by `SessionsModule`: as middleware on Express, through hooks
 * on Fastify.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  private readonly cookieName: string;

  constructor(
    private readonly sessions: SessionService,
    private readonly commits: SessionCommitService,
    private readonly requestContext: RequestContextService,
    @Inject(SESSIONS_OPTIONS) options: ResolvedSessionsOptions,
  ) {
    this.cookieName = options.cookie.name;
  }

  use(
    request: IncomingMessage,
    response: ServerResponse,
    next: () => void,
  ): void {
    if (this.requestContext.entered) {
      runWithRequestSession(this.open(request, response), next);
    } else {
      next();
    }
  }

  /** Whether the app's requests run in the context. */
  get entersContext(): boolean {
    return this.requestContext.entered;
  }

  /** The request's session side, which loads nothing until asked. */
  open(request: IncomingMessage, response: ServerResponse): RequestSession {
    return new RequestSession(
      request,
      response,
      this.sessions,
      this.commits,
      this.cookieName,
    );
  }
}
