import { createHash, randomBytes } from 'node:crypto';

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_LENGTH = 32;
const VALID_KEY = /^[a-z0-9]{8,40}$/;

/**
 * `length` characters of `alphabet`, each equally likely, from the OS
 * CSPRNG (`random` is there for tests): random bytes at or above the
 * largest multiple of the alphabet's size are dropped.
 */
export function randomText(
  alphabet: string,
  length: number,
  random: (size: number) => Uint8Array = randomBytes,
): string {
  const unbiasedLimit = 256 - (256 % alphabet.length);
  let text = '';
  while (text.length < length) {
    for (const byte of random(length + 8)) {
      if (byte < unbiasedLimit) {
        text += alphabet[byte % alphabet.length];
        if (text.length === length) {
          break;
        }
      }
    }
  }
  return text;
}

/**
 * A new session key: 32 characters from `[a-z0-9]`, from the OS CSPRNG
 * (`random` is there for tests).
 */
export function generateSessionKey(
  random: (size: number) => Uint8Array = randomBytes,
): string {
  return randomText(KEY_ALPHABET, KEY_LENGTH, random);
}

/**
 * The SHA-256 of a session key, in hex: what `hashKeys` stores in its
 * place, and the public id of the session in a user's list.
 */
export function hashSessionKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Whether a key sent by a client may be looked up at all: 8 to 40
 * characters from `[a-z0-9]`. Anything else is treated as no key.
 */
export function isValidSessionKey(key: unknown): key is string {
  return typeof key === 'string' && VALID_KEY.test(key);
}
