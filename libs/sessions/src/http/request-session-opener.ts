import { SessionContextError } from '../errors/session-context.error.js';
import {
  type CurrentRequestSession,
  currentRequestSession,
} from '../session/session-context.js';

/**
 * Where the requests of an app with `SessionsModule` find how to open their
 * session side: set once on the adapter's request prototype when the module
 * is mounted, so that a request pays nothing for it.
 */
export const OPEN_REQUEST_SESSION = Symbol(
  'nest-sessions:open-request-session',
);

/** Opens the session side of an adapter's request and response. */
export type RequestSessionOpener = (
  request: object,
  response: object,
) => CurrentRequestSession;

type OpenableRequest = { [OPEN_REQUEST_SESSION]?: RequestSessionOpener };

/** The session sides opened on requests that run without the context. */
const opened = new WeakMap<object, CurrentRequestSession>();

/**
 * The session side of the request being handled (the adapter's request and
 * response): the context's, where the request runs in it; otherwise the one
 * opened on the request, opened on first use.
 */
export function requestSessionOf(
  request: object,
  response: object,
): CurrentRequestSession {
  const current = currentRequestSession();
  if (current !== undefined) {
    return current;
  }
  let requestSession = opened.get(request);
  if (requestSession === undefined) {
    const open = (request as OpenableRequest)[OPEN_REQUEST_SESSION];
    if (open === undefined) {
      throw new SessionContextError('outside');
    }
    requestSession = open(request, response);
    opened.set(request, requestSession);
  }
  return requestSession;
}
