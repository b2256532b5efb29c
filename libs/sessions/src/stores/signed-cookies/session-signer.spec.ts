import { jest } from '@jest/globals';
import crypto from 'node:crypto';
import { SessionSigner } from './session-signer.js';

const SECRET = 'current-secret-0123456789abcdefghijklmnop';
const OLD_SECRET = 'former-secret-0123456789abcdefghijklmnopq';
const OTHER_SECRET = 'someone-else-0123456789abcdefghijklmnopqr';

const BASE64URL =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

const inAnHour = (): number => Date.now() + 3_600_000;

/** `value` with the character at `index` replaced by another of the same alphabet. */
function tamper(value: string, index: number, alphabet: string): string {
  const char = value[index];
  const replacement = alphabet[(alphabet.indexOf(char) + 1) % alphabet.length];
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

describe('SessionSigner', () => {
  const signer = new SessionSigner([SECRET]);

  it('opens what it signed: the JSON text and the expiry', () => {
    const json = JSON.stringify({ name: 'Zoë', cart: [1, 2], emoji: '🍪' });
    const expiresAt = inAnHour();

    const value = signer.sign(json, expiresAt);

    expect(signer.isWellFormed(value)).toBe(true);
    expect(signer.open(value)).toEqual({ json, expiresAt });
  });

  it('signs the same data into a different value each time', () => {
    const expiresAt = inAnHour();

    expect(signer.sign('{}', expiresAt)).not.toBe(signer.sign('{}', expiresAt));
  });

  it('opens nothing once one character of payload, expiry, nonce or signature changed', () => {
    const value = signer.sign('{"user":1,"admin":false}', inAnHour());
    const [payload, expires, nonce] = value.split('.');
    const expiresStart = payload.length + 1;
    const nonceStart = expiresStart + expires.length + 1;
    const signatureStart = nonceStart + nonce.length + 1;
    let tampered = 0;

    for (let index = 0; index < value.length; index++) {
      if (value[index] === '.') {
        continue;
      }
      const alphabet =
        index >= expiresStart && index < nonceStart - 1 ? BASE36 : BASE64URL;
      const changed = tamper(value, index, alphabet);

      expect(signer.isWellFormed(changed)).toBe(true);
      expect([index, signer.open(changed)]).toEqual([index, null]);
      tampered++;
    }
    expect(tampered).toBe(value.length - 3);
    expect(signatureStart + 43).toBe(value.length);
  });

  it('opens nothing from a truncated value, or one with more appended', () => {
    const value = signer.sign('{"a":1}', inAnHour());

    for (let length = 0; length < value.length; length++) {
      expect([length, signer.open(value.slice(0, length))]).toEqual([
        length,
        null,
      ]);
    }
    expect(signer.open(`${value}A`)).toBeNull();
    expect(signer.open(`${value}.`)).toBeNull();
  });

  it('opens nothing signed with another secret', () => {
    const value = new SessionSigner([OTHER_SECRET]).sign('{"a":1}', inAnHour());

    expect(signer.isWellFormed(value)).toBe(true);
    expect(signer.open(value)).toBeNull();
  });

  it('opens nothing signed with the secret itself rather than the key derived for session cookies', () => {
    const good = signer.sign('{"a":1}', inAnHour());
    const signed = good.slice(0, good.lastIndexOf('.'));
    const rawSignature = crypto
      .createHmac('sha256', SECRET)
      .update(signed)
      .digest('base64url');

    expect(signer.open(`${signed}.${rawSignature}`)).toBeNull();
  });

  it('opens nothing expired: before its expiry it opens, at it and after it not', () => {
    const expiresAt = inAnHour();
    const value = signer.sign('{"a":1}', expiresAt);

    expect(signer.open(value, expiresAt - 1)).not.toBeNull();
    expect(signer.open(value, expiresAt)).toBeNull();
    expect(signer.open(value, expiresAt + 1)).toBeNull();
    expect(signer.open(signer.sign('{"a":1}', Date.now() - 60_000))).toBeNull();
    expect(signer.open(signer.sign('{"a":1}', -5))).toBeNull();
  });

  describe('rotation', () => {
    const oldSigner = new SessionSigner([OLD_SECRET]);
    const rotated = new SessionSigner([SECRET, OLD_SECRET]);
    const oldValue = oldSigner.sign('{"kept":true}', inAnHour());

    it('opens a value signed with a fallback secret', () => {
      expect(rotated.open(oldValue)?.json).toBe('{"kept":true}');
    });

    it('signs new values with the current secret only', () => {
      const value = rotated.sign('{"new":true}', inAnHour());

      expect(new SessionSigner([SECRET]).open(value)?.json).toBe(
        '{"new":true}',
      );
      expect(oldSigner.open(value)).toBeNull();
    });

    it('opens nothing signed with a secret once it is dropped from the fallbacks', () => {
      expect(new SessionSigner([SECRET]).open(oldValue)).toBeNull();
    });
  });

  describe('comparison', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('compares signatures with crypto.timingSafeEqual, on buffers of equal length', () => {
      const compare = jest.spyOn(crypto, 'timingSafeEqual');
      const value = signer.sign('{"a":1}', inAnHour());

      expect(signer.open(value)).not.toBeNull();
      expect(
        signer.open(tamper(value, value.length - 1, BASE64URL)),
      ).toBeNull();

      expect(compare).toHaveBeenCalledTimes(2);
      for (const [expected, given] of compare.mock.calls) {
        expect((expected as Buffer).length).toBe((given as Buffer).length);
      }
      expect(compare.mock.results.map(({ value }) => value as boolean)).toEqual(
        [true, false],
      );
    });
  });
});
