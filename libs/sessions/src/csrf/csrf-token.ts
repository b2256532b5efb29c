import { randomBytes, timingSafeEqual } from 'node:crypto';
import { randomText } from '../stores/session-key.js';

// The CSRF secret of a session and the tokens that carry it, as Django's
// `CSRF_USE_SESSIONS`: the secret stays in the session; each response gets
// the secret under a fresh random mask, so that no two responses hold the
// same token (BREACH cannot learn it from compressed pages).

const ALPHABET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Characters of a secret, and of a token's mask. */
export const CSRF_SECRET_LENGTH = 32;
const SECRET = new RegExp(`^[a-zA-Z0-9]{${CSRF_SECRET_LENGTH}}$`);
const TOKEN = new RegExp(`^[a-zA-Z0-9]{${2 * CSRF_SECRET_LENGTH}}$`);

/** A new secret: 32 characters from `[a-zA-Z0-9]`, from the OS CSPRNG. */
export function newCsrfSecret(
  random: (size: number) => Uint8Array = randomBytes,
): string {
  return randomText(ALPHABET, CSRF_SECRET_LENGTH, random);
}

/** Whether a value read from a session is a secret this module made. */
export function isCsrfSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET.test(value);
}

/**
 * A token for `secret`: a fresh mask, then each character of the secret
 * shifted by the mask's character at its place (64 characters in all).
 */
export function maskCsrfSecret(
  secret: string,
  mask: string = newCsrfSecret(),
): string {
  let shifted = '';
  for (let i = 0; i < CSRF_SECRET_LENGTH; i++) {
    shifted +=
      ALPHABET[
        (ALPHABET.indexOf(secret[i]) + ALPHABET.indexOf(mask[i])) %
          ALPHABET.length
      ];
  }
  return mask + shifted;
}

/** The secret a token carries; `null` for anything but a well-formed token. */
export function unmaskCsrfToken(token: unknown): string | null {
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    return null;
  }
  let secret = '';
  for (let i = 0; i < CSRF_SECRET_LENGTH; i++) {
    const mask = ALPHABET.indexOf(token[i]);
    const shifted = ALPHABET.indexOf(token[CSRF_SECRET_LENGTH + i]);
    secret += ALPHABET[(shifted - mask + ALPHABET.length) % ALPHABET.length];
  }
  return secret;
}

/** Whether `token` carries `secret`, compared in constant time. */
export function csrfTokenMatches(token: unknown, secret: string): boolean {
  const carried = unmaskCsrfToken(token);
  return (
    carried !== null &&
    isCsrfSecret(secret) &&
    timingSafeEqual(Buffer.from(carried), Buffer.from(secret))
  );
}
