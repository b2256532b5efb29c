import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, concatMap, type Observable } from 'rxjs';
import { requestSessionOf } from './request-session.js';
import { statusOfError, statusOfResult } from './response-status.util.js';
import { SessionCommitService } from './session-commit.service.js';

/**
 * Commits the request's session after the handler, before Nest writes the
 * response, on success and on errors alike (a 4xx still saves; a 5xx does
 * not).
 */
@Injectable()
export class SessionInterceptor implements NestInterceptor {
  constructor(private readonly commits: SessionCommitService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const http = context.switchToHttp();
    const requestSession = requestSessionOf(http.getRequest());
    if (requestSession === undefined) {
      return next.handle();
    }
    const response = http.getResponse<{ statusCode?: unknown }>();
    const handler = context.getHandler();
    // catchError comes first so that it sees only the handler's errors, not
    // a failed commit of a successful response.
    return next.handle().pipe(
      catchError(async (error: unknown) => {
        await this.commits.commit(
          requestSession,
          response,
          statusOfError(error),
        );
        throw error;
      }),
      concatMap(async (result: unknown) => {
        await this.commits.commit(
          requestSession,
          response,
          statusOfResult(handler, response),
        );
        return result;
      }),
    );
  }
}
