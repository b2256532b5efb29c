import { Injectable } from '@nestjs/common';
import { CsrfError } from '../errors/csrf.error.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';
import type { Session } from '../session/session.js';
import { CSRF_SESSION_KEY } from '../sessions.constants.js';
import {
  csrfTokenMatches,
  isCsrfSecret,
  maskCsrfSecret,
  newCsrfSecret,
} from './csrf-token.js';

/**
 * CSRF tokens kept in the session (Django's `CSRF_USE_SESSIONS`): a secret
 * per session, given to each page under a fresh mask, checked by `CsrfGuard`.
 */
@Injectable()
export class CsrfService {
  /**
   * A token for the page being answered: put it in each form's
   * `csrfmiddlewaretoken` field, or give it to scripts for their
   * `X-CSRFToken` header. Each call masks the session's secret afresh, so no
   * two pages carry the same text; all of them verify. The first call makes
   * the secret, which saves the session.
   */
  token(session: Session): string {
    const stored = session.get<unknown>(CSRF_SESSION_KEY);
    if (isCsrfSecret(stored)) {
      return maskCsrfSecret(stored);
    }
    const secret = newCsrfSecret();
    session.set(CSRF_SESSION_KEY, secret);
    return maskCsrfSecret(secret);
  }

  /**
   * Gives the session a new secret: the tokens of earlier pages stop
   * verifying. Call it on login (Django's `rotate_token()`), beside
   * `cycleKey()`.
   */
  rotate(session: Session): void {
    session.set(CSRF_SESSION_KEY, newCsrfSecret());
  }

  /**
   * Throws `CsrfError` unless `token` (as the client sent it) is one of the
   * session's tokens. `CsrfGuard` calls it; call it yourself where the token
   * arrives after guards run (a multipart form parsed by an interceptor).
   */
  verify(session: Session, token: unknown): void {
    if (token === undefined || token === null || token === '') {
      throw new CsrfError(SESSIONS_MESSAGES.csrfTokenMissing());
    }
    const secret = session.get<unknown>(CSRF_SESSION_KEY);
    if (!isCsrfSecret(secret) || !csrfTokenMatches(token, secret)) {
      throw new CsrfError(SESSIONS_MESSAGES.csrfTokenIncorrect());
    }
  }
}
