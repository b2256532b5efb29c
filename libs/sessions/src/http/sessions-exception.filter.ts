import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  ForbiddenException,
  type HttpException,
  Injectable,
  Logger,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { FailureSummary } from '../errors/failure-summary.js';
import { CsrfError } from '../errors/csrf.error.js';
import { LoginRequiredError } from '../errors/login-required.error.js';
import { SessionCookieTooLargeError } from '../errors/session-cookie-too-large.error.js';
import { SessionDataError } from '../errors/session-data.error.js';
import { SessionInterruptedError } from '../errors/session-interrupted.error.js';
import { SessionStoreError } from '../errors/session-store.error.js';
import { SessionsError } from '../errors/sessions.error.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';
import { SESSIONS_LOGGER_CONTEXT } from '../sessions.constants.js';

/** Seconds a client is asked to wait before retrying while the store is down. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Answers the library's errors as HTTP, wherever they are thrown (a handler,
 * a guard, the commit of the session before the response):
 * - a value that cannot be stored (`SessionDataError`) and a session deleted
 *   by a concurrent request (`SessionInterruptedError`): 400, not logged;
 * - a request `CsrfGuard` refused (`CsrfError`): 403, not logged;
 * - a request `LoggedInGuard` refused (`LoginRequiredError`): 401, not logged;
 * - a session too large for its cookie (`SessionCookieTooLargeError`): 413,
 *   logged, as the app stores too much in its cookie;
 * - a failure of the store (`SessionStoreError`): 503 with `Retry-After`,
 *   logged;
 * - any other error: Nest's default handling (a 500, logged).
 * What it logs is logged calmly: the first of a kind with its stack, its
 * repeats summed up every 5 seconds.
 *
 * The module provides it; use it for the whole app, with
 * `{ provide: APP_FILTER, useExisting: SessionsExceptionFilter }` or
 * `app.useGlobalFilters(app.get(SessionsExceptionFilter))`. The session's
 * commit answers its failures through it in any case.
 */
@Catch(SessionsError)
@Injectable()
export class SessionsExceptionFilter extends BaseExceptionFilter {
  private readonly failures = new FailureSummary(
    new Logger(SESSIONS_LOGGER_CONTEXT),
    'requests failed',
  );

  /**
   * @internal Made by Nest's injector. The adapter is looked up when an error
   * comes: a testing module makes its app after its providers.
   */
  constructor(protected override readonly httpAdapterHost: HttpAdapterHost) {
    super();
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    const answer = httpAnswerOf(error);
    if (answer === undefined) {
      super.catch(error, host);
      return;
    }
    const storeDown = answer instanceof ServiceUnavailableException;
    // A store outage, or a cookie too large (the app's to fix): said, calmly.
    if (storeDown || error instanceof SessionCookieTooLargeError) {
      this.failures.report(error);
    }
    if (storeDown) {
      const response: unknown = host.switchToHttp().getResponse();
      const adapter = this.httpAdapterHost.httpAdapter;
      if (!adapter.isHeadersSent(response)) {
        adapter.setHeader(response, 'Retry-After', String(RETRY_AFTER_SECONDS));
      }
    }
    super.catch(answer, host);
  }
}

/** The HTTP answer to one of the library's errors; `undefined` for a 500. */
function httpAnswerOf(error: unknown): HttpException | undefined {
  if (
    error instanceof SessionDataError ||
    error instanceof SessionInterruptedError
  ) {
    return new BadRequestException(error.message);
  }
  if (error instanceof CsrfError) {
    return new ForbiddenException(error.message);
  }
  if (error instanceof LoginRequiredError) {
    return new UnauthorizedException(error.message);
  }
  if (error instanceof SessionCookieTooLargeError) {
    return new PayloadTooLargeException(
      SESSIONS_MESSAGES.cookieTooLargeAnswer(),
    );
  }
  if (error instanceof SessionStoreError) {
    return new ServiceUnavailableException(
      SESSIONS_MESSAGES.storeUnavailableAnswer(),
    );
  }
  return undefined;
}
