import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { RequestSession } from './request-session.js';

/**
 * Which request is being handled, for `SessionService.current()`: the
 * middleware runs the rest of the request inside `run()`.
 */
@Injectable()
export class SessionContext {
  private readonly storage = new AsyncLocalStorage<RequestSession>();

  run(requestSession: RequestSession, next: () => void): void {
    this.storage.run(requestSession, next);
  }

  current(): RequestSession | undefined {
    return this.storage.getStore();
  }
}
