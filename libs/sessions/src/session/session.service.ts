import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { SESSIONS_OPTIONS } from '../sessions.constants.js';
import { GuardedSessionStore } from '../stores/guarded-session.store.js';
import { SessionStore } from '../stores/session.store.js';
import { SessionContextError } from '../errors/session-context.error.js';
import { RequestSession } from './request-session.js';
import { Session, type SessionSettings } from './session.js';

/**
 * Sessions for any provider: the current request's session, and any stored
 * session by key. A singleton: the current request is found through
 * `AsyncLocalStorage`, not through request scope.
 */
@Injectable()
export class SessionService {
  private readonly store: SessionStore;
  private readonly settings: SessionSettings;
  private readonly contextTurnedOff: boolean;

  /** @internal Made by Nest's injector. */
  constructor(
    store: SessionStore,
    @Inject(SESSIONS_OPTIONS) options: ResolvedSessionsOptions,
  ) {
    this.contextTurnedOff = !options.requestContext;
    this.store = new GuardedSessionStore(store);
    this.settings = {
      maxAge: options.cookie.maxAge,
      expireAtBrowserClose: options.expireAtBrowserClose,
    };
  }

  /**
   * The session of the request being handled, loaded from the store on the
   * first call of the request (later calls share it). Changes are saved when
   * the response is sent. It works wherever the request flows: services,
   * guards, interceptors, pipes, exception filters and handlers. Rejects with
   * `SessionContextError` outside of an HTTP request, or with
   * `requestContext: false`.
   */
  current(): Promise<Session> {
    const requestSession = RequestSession.current();
    return requestSession === undefined
      ? Promise.reject(
          new SessionContextError(
            this.contextTurnedOff ? 'turned-off' : 'outside',
          ),
        )
      : requestSession.session();
  }

  /**
   * The stored session under `key`, or `null` when the key is malformed,
   * unknown or expired. Save it with `session.save()`.
   */
  async load(key: string): Promise<Session | null> {
    if (!this.store.acceptsKey(key)) {
      return null;
    }
    const data = await this.store.load(key);
    return data === null
      ? null
      : new Session(this.store, this.settings, key, data);
  }

  /** A new, empty session; it gets its key when first saved. */
  create(): Session {
    return new Session(this.store, this.settings, null, {});
  }

  /** Whether a live session is stored under `key`. */
  async exists(key: string): Promise<boolean> {
    return this.store.acceptsKey(key) && (await this.store.exists(key));
  }

  /** Deletes the session stored under `key`; returns whether there was one. */
  async delete(key: string): Promise<boolean> {
    return this.store.acceptsKey(key) && (await this.store.delete(key));
  }
}
