import type {
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import { type ArgumentsHost, Inject, Injectable, Logger } from '@nestjs/common';
import { SessionsError } from '../errors/sessions.error.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import {
  type Session,
  sessionHasData,
  sessionRefreshDue,
} from '../session/session.js';
import {
  SESSIONS_LOGGER_CONTEXT,
  SESSIONS_OPTIONS,
} from '../sessions.constants.js';
import type { HttpRequestSession } from './http-request-session.js';
import { addVaryCookie, appendSetCookie } from './http-headers.js';
import { ResponseHold } from './response-hold.js';
import { SessionCookieHeader } from './session-cookie-header.js';
import { SessionsExceptionFilter } from './sessions-exception.filter.js';

/** Headers that describe the body the failed response would have had. */
const BODY_HEADER = /^(content-|etag$|last-modified$|transfer-encoding$)/;

/**
 * What Django's `SessionMiddleware.process_response` does, when the response
 * of a request that asked for its session is about to go out (whoever sends
 * it: the handler's return, an exception filter, `@Res()`):
 * - a session that became empty is deleted and its cookie expired;
 * - a modified session (or any loaded one, with `saveEveryRequest`; or one
 *   whose expiry is due for a refresh, with `touchAfter`) is saved and its
 *   cookie refreshed, unless the response is a 5xx;
 * - `Vary: Cookie` is added if the session was accessed.
 */
@Injectable()
export class SessionCommitService {
  private readonly logger = new Logger(SESSIONS_LOGGER_CONTEXT);
  private readonly cookie: SessionCookieHeader;

  constructor(
    @Inject(SESSIONS_OPTIONS) private readonly options: ResolvedSessionsOptions,
    private readonly exceptionFilter: SessionsExceptionFilter,
  ) {
    this.cookie = new SessionCookieHeader(options.cookie);
  }

  /** Holds the response of `requestSession`, whose session was just asked for, until its commit. */
  hold(requestSession: HttpRequestSession): void {
    new ResponseHold(
      requestSession.response,
      (givenHeaders) => this.commit(requestSession, givenHeaders),
      (error) => this.fail(requestSession, error),
    );
  }

  /**
   * Commits the request's session, before its response's headers go out;
   * `givenHeaders`: those about to be given to `writeHead()`, if any.
   */
  private async commit(
    requestSession: HttpRequestSession,
    givenHeaders: OutgoingHttpHeaders | undefined,
  ): Promise<void> {
    // A session that failed to load has already failed the request.
    const session = await requestSession.requested?.catch(() => undefined);
    if (session === undefined) {
      return;
    }
    const cookie = await this.saveOrDelete(requestSession, session);
    const { response } = requestSession;
    if (response.headersSent) {
      if (cookie !== undefined) {
        this.logger.warn(
          'The session cookie could not be set: the session was first used ' +
            "after the response's headers were sent.",
        );
      }
      return;
    }
    if (cookie !== undefined) {
      appendSetCookie(response, givenHeaders, cookie);
    }
    if (session.accessed) {
      addVaryCookie(response, givenHeaders);
    }
  }

  /**
   * Answers a request whose commit failed as `SessionsExceptionFilter`
   * answers a handler's error: `SessionInterruptedError` with a 400, a store
   * failure with a 503.
   */
  private fail(requestSession: HttpRequestSession, error: unknown): void {
    const { request, response } = requestSession;
    // The headers that described the body of the response the handler made.
    for (const name of response.getHeaderNames()) {
      if (BODY_HEADER.test(name)) {
        response.removeHeader(name);
      }
    }
    this.exceptionFilter.catch(error, httpHost(request, response));
  }

  /** Saves or deletes the session as it needs; returns the cookie to set, if any. */
  private async saveOrDelete(
    requestSession: HttpRequestSession,
    session: Session,
  ): Promise<string | undefined> {
    const serverError = requestSession.response.statusCode >= 500;

    if (!sessionHasData(session)) {
      if (session.sessionKey !== null && session.modified && !serverError) {
        await session.save(); // deletes the emptied row
      }
      const cookieNamedNothing =
        requestSession.cookieValue !== undefined && session.sessionKey === null;
      return cookieNamedNothing && session.accessed
        ? this.cookie.expired
        : undefined;
    }
    if (serverError) {
      return this.newKeyCookie(requestSession, session);
    }
    if (!(
      session.modified ||
      this.options.saveEveryRequest ||
      this.refreshDue(session)
    )) {
      return undefined;
    }
    await session.save();
    return this.holdingCookie(session);
  }

  /**
   * Whether a session the request only read is due for a refresh of its
   * expiry (and cookie), under `touchAfter`: at most one write per period.
   */
  private refreshDue(session: Session): boolean {
    const { touchAfter } = this.options;
    return touchAfter !== undefined && sessionRefreshDue(session, touchAfter);
  }

  /**
   * On a 5xx nothing is saved, but a session given a new key during the
   * request (by `cycleKey()` or a first save) is already stored under it,
   * and its old key is gone: the client gets the new key, so that the
   * failure costs it neither its session nor a row left behind.
   */
  private newKeyCookie(
    requestSession: HttpRequestSession,
    session: Session,
  ): string | undefined {
    const key = session.sessionKey;
    return key === null || key === requestSession.cookieValue
      ? undefined
      : this.holdingCookie(session);
  }

  private holdingCookie(session: Session): string {
    const maxAge = session.getExpireAtBrowserClose()
      ? undefined
      : session.getExpiryAge();
    return this.cookie.holding(session.sessionKey!, maxAge);
  }
}

/** The `ArgumentsHost` of an HTTP request, as exception filters get it. */
function httpHost(
  request: IncomingMessage,
  response: ServerResponse,
): ArgumentsHost {
  const args = [request, response];
  const http = {
    getRequest: () => request,
    getResponse: () => response,
    getNext: () => undefined,
  };
  return {
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    getType: () => 'http',
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new SessionsError(SESSIONS_MESSAGES.notRpc());
    },
    switchToWs: () => {
      throw new SessionsError(SESSIONS_MESSAGES.notWs());
    },
  } as ArgumentsHost;
}
