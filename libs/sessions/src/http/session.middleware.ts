import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { SessionService } from '../session/session.service.js';
import { SESSIONS_OPTIONS } from '../sessions.constants.js';
import { runWithRequestSession } from '../session/session-context.js';
import { RequestSession } from './request-session.js';
import { SessionCommitService } from './session-commit.service.js';

/**
 * Gives every request its `RequestSession` (nothing is loaded yet) and runs
 * the rest of the request in its context, for `@CurrentSession()` and
 * `SessionService.current()`. Mounted on the HTTP adapter by `SessionsModule`:
 * as middleware on Express, through hooks on Fastify.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  private readonly cookieName: string;

  constructor(
    private readonly sessions: SessionService,
    private readonly commits: SessionCommitService,
    @Inject(SESSIONS_OPTIONS) options: ResolvedSessionsOptions,
  ) {
    this.cookieName = options.cookie.name;
  }

  use(
    request: IncomingMessage,
    response: ServerResponse,
    next: () => void,
  ): void {
    runWithRequestSession(this.open(request, response), next);
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
