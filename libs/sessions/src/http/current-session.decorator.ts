import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { SessionContextError } from '../errors/session-context.error.js';
import type { Session } from '../session/session.js';
import { requestSessionOf } from './request-session.js';

/**
 * The request's `Session`, loaded from the store before the handler runs
 * (`@nestjs/common` already exports a `Session` decorator, hence the name).
 * Only handlers that declare it pay for loading the session.
 *
 * ```ts
 * @Get('counter')
 * count(@CurrentSession() session: Session) {
 *   const visits = session.get('visits', 0) + 1;
 *   session.set('visits', visits);
 *   return { visits };
 * }
 * ```
 */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Promise<Session> => {
    const requestSession = requestSessionOf(
      context.switchToHttp().getRequest(),
    );
    return requestSession === undefined
      ? Promise.reject(new SessionContextError())
      : requestSession.session();
  },
);
