import { randomBytes } from 'node:crypto';

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_LENGTH = 32;
/** Random bytes at or above this are dropped, so every character is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % KEY_ALPHABET.length);
const VALID_KEY = /^[a-z0-9]{8,40}$/;

/**
 * A new session key: 32 characters from `[a-z0-9]`, from the OS CSPRNG
 * (`random` is there for tests).
 */
export function generateSessionKey(
  random: (size: number) => Uint8Array = randomBytes,
): string {
  let key = '';
  while (key.length < KEY_LENGTH) {
    for (const byte of random(KEY_LENGTH + 8)) {
      if (byte < UNBIASED_LIMIT) {
        key += KEY_ALPHABET[byte % KEY_ALPHABET.length];
        if (key.length === KEY_LENGTH) {
          break;
        }
      }
    }
  }
  return key;
}

/**
 * Whether a key sent by a client may be looked up at all: 8 to 40
 * characters from `[a-z0-9]`. Anything else is treated as no key.
 */
export function isValidSessionKey(key: unknown): key is string {
  return typeof key === 'string' && VALID_KEY.test(key);
}
