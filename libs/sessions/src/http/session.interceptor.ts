import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import {
  catchError,
  concatMap,
  from,
  type Observable,
  of,
  throwError,
} from 'rxjs';
import { requestSessionOf } from './request-session.js';
import { statusOfError, statusOfResult } from './response-status.util.js';
import { SessionCommitService } from './session-commit.service.js';

/**
 * Commits the request's session after the handler, before Nest writes the
 * response, on success and on errors alike (a 4xx still saves; a 5xx does
 * not). A request that never asked for its session passes straight through.
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
    // catchError comes first so that it sees only the handler's errors, not
    // a failed commit of a successful response.
    return next.handle().pipe(
      catchError((error: unknown) =>
        from(
          this.commits.commit(requestSession, response, () =>
            statusOfError(error),
          ),
        ).pipe(concatMap(() => throwError(() => error))),
      ),
      concatMap((result: unknown) =>
        requestSession.requested === undefined
          ? of(result)
          : from(
              this.commits
                .commit(requestSession, response, () =>
                  statusOfResult(context.getHandler(), response),
                )
                .then(() => result),
            ),
      ),
    );
  }
}
