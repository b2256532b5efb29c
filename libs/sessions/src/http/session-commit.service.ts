import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { type Session, sessionHasData } from '../session/session.js';
import {
  SESSIONS_LOGGER_CONTEXT,
  SESSIONS_OPTIONS,
} from '../sessions.constants.js';
import { varyWithCookie } from './cookie-header.util.js';
import { type RequestSession } from './request-session.js';

/**
 * What Django's `SessionMiddleware.process_response` does, once the handler
 * is done and before the response goes out:
 * - `Vary: Cookie` when the session was accessed;
 * - a session that became empty is deleted and its cookie expired;
 * - a modified session (or any loaded one, with `saveEveryRequest`) is
 *   saved and its cookie refreshed, unless the response is a 5xx.
 * A request that never asked for its session costs nothing here.
 */
@Injectable()
export class SessionCommitService {
  private readonly logger = new Logger(SESSIONS_LOGGER_CONTEXT);

  constructor(
    @Inject(SESSIONS_OPTIONS) private readonly options: ResolvedSessionsOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async commit(
    requestSession: RequestSession,
    response: object,
    status: number,
  ): Promise<void> {
    const requested = requestSession.requested;
    if (requested === undefined) {
      return;
    }
    // A session that failed to load has already failed the request.
    const session = await requested.catch(() => undefined);
    if (session === undefined) {
      return;
    }
    const serverError = status >= 500;
    const hadCookie = requestSession.cookieValue !== undefined;
    const headersSent = this.adapter.isHeadersSent(response) === true;
    if (session.accessed && !headersSent) {
      this.addVaryCookie(response);
    }

    if (!sessionHasData(session)) {
      if (session.sessionKey !== null && session.modified && !serverError) {
        await session.flush();
      }
      if (hadCookie && session.sessionKey === null && !headersSent) {
        this.expireCookie(response);
        this.addVaryCookie(response);
      }
      return;
    }
    if (serverError || !(session.modified || this.options.saveEveryRequest)) {
      return;
    }
    await session.save();
    if (headersSent) {
      this.logger.warn(
        'The session was saved, but its cookie could not be set: the response was already sent ' +
          '(a handler that uses @Res() should pass { passthrough: true }).',
      );
      return;
    }
    this.setCookie(response, session);
  }

  private get adapter() {
    return this.adapterHost.httpAdapter;
  }

  private setCookie(response: object, session: Session): void {
    const { cookie } = this.options;
    const expiry = session.getExpireAtBrowserClose()
      ? {}
      : this.expiryAttributes(session.getExpiryAge());
    this.adapter.setCookie(response, cookie.name, session.sessionKey!, {
      ...this.cookieAttributes(),
      ...expiry,
    });
  }

  private expireCookie(response: object): void {
    this.adapter.clearCookie(
      response,
      this.options.cookie.name,
      this.cookieAttributes(),
    );
  }

  private addVaryCookie(response: object): void {
    const vary = varyWithCookie(this.adapter.getHeader(response, 'Vary'));
    if (vary !== undefined) {
      this.adapter.setHeader(response, 'Vary', vary);
    }
  }

  private cookieAttributes() {
    const { path, domain, secure, httpOnly, sameSite } = this.options.cookie;
    return { path, domain, secure, httpOnly, sameSite };
  }

  private expiryAttributes(maxAge: number) {
    return { maxAge, expires: new Date(Date.now() + maxAge * 1000) };
  }
}
