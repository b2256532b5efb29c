import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestSessionOf } from './request-session-opener.js';

/**
 * The request's `Session`, loaded from the store before the handler runs
 * (`@nestjs/common` already exports a `Session` decorator, hence the name).
 * Only handlers that declare it pay for loading the session. It needs no
 * request context (see the `requestContext` option).
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
  (_data: unknown, context: ExecutionContext) => {
    const http = context.switchToHttp();
    return requestSessionOf(
      http.getRequest<object>(),
      http.getResponse<object>(),
    ).session();
  },
);
