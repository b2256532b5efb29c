import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import { CsrfError } from '../errors/csrf.error.js';
import { HttpRequestSession } from '../http/http-request-session.js';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { SESSIONS_OPTIONS } from '../sessions.constants.js';
import { CSRF_EXEMPT } from './csrf-exempt.decorator.js';
import { whyCsrfOriginRefused } from './csrf-origin.js';
import { CsrfService } from './csrf.service.js';

/** Methods that must not change anything, so need no check (RFC 9110). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The header scripts send the token in, and the form field. */
const TOKEN_HEADER = 'x-csrftoken';
const TOKEN_FIELD = 'csrfmiddlewaretoken';

/** What the guard reads of a request, on Express and on Fastify alike. */
interface CsrfCheckedRequest {
  readonly method: string;
  readonly protocol: string;
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
}

/**
 * Refuses, with `CsrfError` (a 403), an unsafe request (not GET, HEAD,
 * OPTIONS or TRACE) that another site may have made a browser send, as
 * Django's `CsrfViewMiddleware` with `CSRF_USE_SESSIONS`: its `Origin`
 * (or, over HTTPS without one, its `Referer`) must be the site's or in
 * `csrf.trustedOrigins`, and it must carry one of the session's tokens
 * (`CsrfService.token()`), in the `X-CSRFToken` header or the
 * `csrfmiddlewaretoken` field of a body parsed before guards run.
 * `@CsrfExempt()` lets a route through.
 *
 * The module provides it; use it for the whole app, with
 * `{ provide: APP_GUARD, useExisting: CsrfGuard }`, or on controllers with
 * `@UseGuards(CsrfGuard)`. It reads the request's session (no query when the
 * session is already loaded).
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  private readonly trustedOrigins: readonly string[];

  /** @internal Made by Nest's injector. */
  constructor(
    private readonly reflector: Reflector,
    private readonly csrf: CsrfService,
    @Inject(SESSIONS_OPTIONS) options: ResolvedSessionsOptions,
  ) {
    this.trustedOrigins = options.csrf.trustedOrigins;
  }

  /** Whether the request may go on; throws `CsrfError` when it may not. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const request = context.switchToHttp().getRequest<CsrfCheckedRequest>();
    const exempt = this.reflector.getAllAndOverride<boolean | undefined>(
      CSRF_EXEMPT,
      [context.getHandler(), context.getClass()],
    );
    if (SAFE_METHODS.has(request.method) || exempt === true) {
      return true;
    }
    const { headers } = request;
    const refusal = whyCsrfOriginRefused(
      {
        protocol: request.protocol,
        host: headers.host,
        origin: headers.origin,
        referer: headers.referer,
      },
      this.trustedOrigins,
    );
    if (refusal !== null) {
      throw new CsrfError(refusal);
    }
    const session = await HttpRequestSession.of(request).session();
    this.csrf.verify(session, tokenOf(request));
    return true;
  }
}

/** The token the request carries: its header, else its body's field. */
function tokenOf({ headers, body }: CsrfCheckedRequest): unknown {
  const header = headers[TOKEN_HEADER];
  if (header !== undefined) {
    return header;
  }
  return typeof body === 'object' && body !== null && TOKEN_FIELD in body
    ? (body as Record<string, unknown>)[TOKEN_FIELD]
    : undefined;
}
