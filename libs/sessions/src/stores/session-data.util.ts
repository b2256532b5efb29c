import { Logger } from '@nestjs/common';
import { SESSIONS_LOGGER_CONTEXT } from '../sessions.constants.js';
import type { SessionData } from './session.store.js';

const logger = new Logger(SESSIONS_LOGGER_CONTEXT);

/**
 * Stored session data as a session object: a JSON object, or its text.
 * Anything else (corrupt text, an array, a scalar) yields `{}` and a
 * warning, never an error: a visitor with a damaged session gets an empty one.
 */
export function decodeSessionData(stored: unknown): SessionData {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      value = undefined;
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as SessionData;
  }
  logger.warn(
    'Session data corrupted: the stored value is not a JSON object, so the session loads empty.',
  );
  return {};
}
