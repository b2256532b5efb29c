import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type {
  ResolvedSessionCookie,
  ResolvedSessionsOptions,
} from '../options/resolve-options.js';
import { type Session, sessionHasData } from '../session/session.js';
import {
  SESSIONS_LOGGER_CONTEXT,
  SESSIONS_OPTIONS,
} from '../sessions.constants.js';
import type { RequestSession } from './request-session.js';

/**
 * What Django's `SessionMiddleware.process_response` does, once the handler
 * is done and before the response goes out (`Vary: Cookie` is added when the
 * headers are written, see `RequestSession`):
 * - a session that became empty is deleted and its cookie expired;
 * - a modified session (or any loaded one, with `saveEveryRequest`) is
 *   saved and its cookie refreshed, unless the response is a 5xx.
 */
@Injectable()
export class SessionCommitService {
  private readonly logger = new Logger(SESSIONS_LOGGER_CONTEXT);
  /** The cookie's attributes but its lifetime, the same for every response. */
  private readonly cookieAttributes: Omit<
    ResolvedSessionCookie,
    'name' | 'maxAge'
  >;

  constructor(
    @Inject(SESSIONS_OPTIONS) private readonly options: ResolvedSessionsOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const { path, domain, secure, httpOnly, sameSite } = options.cookie;
    this.cookieAttributes = { path, domain, secure, httpOnly, sameSite };
  }

  /**
   * Commits the request's session, once; `status` is asked only when the
   * request loaded its session.
   */
  async commit(
    requestSession: RequestSession,
    response: object,
    status: () => number,
  ): Promise<void> {
    const requested = requestSession.requested;
    if (requested === undefined || requestSession.committed) {
      return;
    }
    requestSession.committed = true;
    // A session that failed to load has already failed the request.
    const session = await requested.catch(() => undefined);
    if (session === undefined) {
      return;
    }
    const serverError = status() >= 500;

    if (!sessionHasData(session)) {
      if (session.sessionKey !== null && session.modified && !serverError) {
        await session.save(); // deletes the emptied row
      }
      const cookieNamedNothing =
        requestSession.cookieValue !== undefined && session.sessionKey === null;
      if (cookieNamedNothing && session.accessed && this.canWrite(response)) {
        this.adapter.clearCookie(
          response,
          this.options.cookie.name,
          this.cookieAttributes,
        );
      }
      return;
    }
    if (serverError || !(session.modified || this.options.saveEveryRequest)) {
      return;
    }
    await session.save();
    if (this.canWrite(response)) {
      this.setCookie(response, session);
    } else {
      this.logger.warn(
        'The session was saved, but its cookie could not be set: the response was already sent ' +
          '(a handler that uses @Res() should pass { passthrough: true }).',
      );
    }
  }

  private get adapter() {
    return this.adapterHost.httpAdapter;
  }

  private canWrite(response: object): boolean {
    return this.adapter.isHeadersSent(response) !== true;
  }

  private setCookie(response: object, session: Session): void {
    const maxAge = session.getExpireAtBrowserClose()
      ? undefined
      : session.getExpiryAge();
    this.adapter.setCookie(
      response,
      this.options.cookie.name,
      session.sessionKey!,
      {
        ...this.cookieAttributes,
        ...(maxAge !== undefined && {
          maxAge,
          expires: new Date(Date.now() + maxAge * 1000),
        }),
      },
    );
  }
}
