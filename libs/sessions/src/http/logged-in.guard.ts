import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { LoginRequiredError } from '../errors/login-required.error.js';
import { HttpRequestSession } from './http-request-session.js';

/**
 * Lets through only requests whose session has a logged-in user
 * (`SessionService.login()`), checked against `auth.currentHash` when it is
 * set; refuses the others with `LoginRequiredError` (a 401, or the app's
 * redirect). It reads the request's session: no query when the session is
 * already loaded.
 *
 * ```ts
 * @UseGuards(LoggedInGuard)
 * @Get('account')
 * account(@CurrentUserId() userId: string) { ... }
 * ```
 */
@Injectable()
export class LoggedInGuard implements CanActivate {
  /** Whether the request's session has a user; throws `LoginRequiredError` when not. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<object>();
    if ((await HttpRequestSession.of(request).userId()) === null) {
      throw new LoginRequiredError();
    }
    return true;
  }
}
