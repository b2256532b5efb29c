import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { HttpRequestSession } from './http-request-session.js';

/**
 * The id of the user logged in on the request's session
 * (`SessionService.userId()`), or `null` for none; behind `LoggedInGuard`,
 * always a user id. The check against `auth.currentHash` runs once per
 * request, whoever asks first.
 */
export const CurrentUserId = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => {
    const request = context.switchToHttp().getRequest<object>();
    return HttpRequestSession.of(request).userId();
  },
);
