import { Inject, Injectable } from '@nestjs/common';
import type { SessionContextMissing } from '../errors/session-context.error.js';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { SESSIONS_OPTIONS } from '../sessions.constants.js';

/**
 * Whether the app's requests run in the context (`AsyncLocalStorage`)
 * through which `SessionService.current()` finds their session. On Node 20
 * the context costs every request, whether or not it uses the session, so
 * by default it is on only where `current()` can be called: when a class of
 * the app injects `SessionService`. `SessionsModule` settles it at
 * bootstrap, once every module's classes (middleware included) are known
 * and before the first request.
 */
@Injectable()
export class RequestContextService {
  /** Until settled, no request has been handled. */
  private state: 'on' | SessionContextMissing = 'outside';

  constructor(
    @Inject(SESSIONS_OPTIONS) private readonly options: ResolvedSessionsOptions,
  ) {}

  /** As `requestContext` says, or, by default, as `appInjectsSessionService()` finds. */
  settle(appInjectsSessionService: () => boolean): void {
    const { requestContext } = this.options;
    if (requestContext === false) {
      this.state = 'turned-off';
    } else {
      this.state =
        requestContext === true || appInjectsSessionService()
          ? 'on'
          : 'not-injected';
    }
  }

  /** Whether requests run in the context. */
  get entered(): boolean {
    return this.state === 'on';
  }

  /** Why `current()` finds no context in this app, if it is off. */
  get missing(): SessionContextMissing | undefined {
    return this.state === 'on' ? undefined : this.state;
  }
}
