import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CurrentRequestSession } from '../session/session-context.js';
import type { SessionService } from '../session/session.service.js';
import type { Session } from '../session/session.js';
import { readCookie } from './cookie-header.util.js';
import { holdResponseOutput } from './response-hold.util.js';
import type { SessionCommitService } from './session-commit.service.js';

/**
 * The session side of one request: the cookie the client sent, and the
 * session, loaded only when something asks for it, once. Once it is asked
 * for, the response's output waits for the session's commit.
 */
export class RequestSession implements CurrentRequestSession {
  private loading: Promise<Session> | undefined;
  private cookie: string | undefined | null = null;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    private readonly sessions: SessionService,
    private readonly commits: SessionCommitService,
    private readonly cookieName: string,
  ) {}

  /** The session cookie's value as the client sent it, if it sent one. */
  get cookieValue(): string | undefined {
    if (this.cookie === null) {
      this.cookie = readCookie(this.request.headers.cookie, this.cookieName);
    }
    return this.cookie;
  }

  /**
   * The request's session: the stored one the cookie names, or a new empty
   * one when the cookie is missing, malformed, unknown or expired.
   */
  session(): Promise<Session> {
    if (this.loading === undefined) {
      this.loading = this.open();
      holdResponseOutput(
        this.response,
        (givenHeaders) => this.commits.commit(this, givenHeaders),
        (error) => this.commits.fail(this, error),
      );
    }
    return this.loading;
  }

  /** The session, if the request asked for it; `undefined` otherwise. */
  get requested(): Promise<Session> | undefined {
    return this.loading;
  }

  private async open(): Promise<Session> {
    const key = this.cookieValue;
    const stored = key === undefined ? null : await this.sessions.load(key);
    return stored ?? this.sessions.create();
  }
}
