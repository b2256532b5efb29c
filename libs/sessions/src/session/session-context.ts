import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Session } from './session.js';

/** What `SessionService.current()` needs of the request being handled. */
export interface CurrentRequestSession {
  session(): Promise<Session>;
}

/**
 * Which request is being handled, for `SessionService.current()`: the HTTP
 * middleware runs the rest of the request inside `run()`.
 */
@Injectable()
export class SessionContext {
  private readonly storage = new AsyncLocalStorage<CurrentRequestSession>();

  run(requestSession: CurrentRequestSession, next: () => void): void {
    this.storage.run(requestSession, next);
  }

  current(): CurrentRequestSession | undefined {
    return this.storage.getStore();
  }
}
