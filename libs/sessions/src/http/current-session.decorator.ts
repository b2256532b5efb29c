import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { HttpRequestSession } from './http-request-session.js';

/**
 * The request's `Session`, loaded from the store before the handler runs
 * (`@nestjs/common` already exports a `Session` decorator, hence the name).
 * Only handlers that declare it pay for loading the session. It works with
 * `requestContext: false` too.
 *
 * ```ts
 * @Get('counter')
 * count(@CurrentSession() session: Session) {
 *   return { visits: session.increment('visits') };
 * }
 * ```
 */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => {
    const request = context.switchToHttp().getRequest<object>();
    return HttpRequestSession.of(request).session();
  },
);
