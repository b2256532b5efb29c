import { createParamDecorator } from '@nestjs/common';
import { currentSession } from '../session/session-context.js';

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
export const CurrentSession = createParamDecorator(() => currentSession());
