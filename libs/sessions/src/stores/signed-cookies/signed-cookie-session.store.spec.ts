import { SessionCookieTooLargeError } from '../../errors/session-cookie-too-large.error.js';
import { SessionsError } from '../../errors/sessions.error.js';
import {
  describeSessionStoreContract,
  sessionWrite,
} from '../../testing/session-store-contract.js';
import type { SessionData, SessionWrite } from '../session.store.js';
import { SessionSigner } from './session-signer.js';
import {
  MAX_COOKIE_BYTES,
  SignedCookieSessionStore,
} from './signed-cookie-session.store.js';
import { expectOneCorruptDataWarning } from '../../../../../test/support/corrupt-data-warning.js';

const SECRET = 'spec-secret-0123456789abcdefghijklmnopqrstu';

/** A write of `data` that expires in a minute. */
function write(data: SessionData): SessionWrite {
  return sessionWrite(data, { expiry: 60 });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('SignedCookieSessionStore', () => {
  describe('size', () => {
    it('makes cookies up to 4096 bytes, name included, and refuses the next size up', async () => {
      const cookieName = 'sessionid';
      const store = new SignedCookieSessionStore({
        secret: SECRET,
        cookieName,
      });
      let largest = 0;
      let refused: unknown;
      for (let length = 2900; refused === undefined; length++) {
        const data = { v: 'x'.repeat(length) };
        try {
          largest =
            cookieName.length + 1 + (await store.create(write(data))).length;
        } catch (error) {
          refused = error;
        }
      }

      expect(largest).toBeLessThanOrEqual(MAX_COOKIE_BYTES);
      expect(largest).toBeGreaterThan(MAX_COOKIE_BYTES - 4);
      expect(refused).toBeInstanceOf(SessionCookieTooLargeError);
      expect(refused).toBeInstanceOf(SessionsError);
      expect(refused).toMatchObject({
        cookieName,
        limit: MAX_COOKIE_BYTES,
        size: expect.any(Number),
      });
      expect((refused as SessionCookieTooLargeError).size).toBeGreaterThan(
        MAX_COOKIE_BYTES,
      );
      expect((refused as Error).message).toContain(
        "use a server-side store ('db', 'cached_db', 'cache' or 'file')",
      );
    });

    it('refuses a save that would outgrow the cookie, as a rejection, and the old value still loads', async () => {
      const store = new SignedCookieSessionStore({
        secret: SECRET,
        cookieName: 'sessionid',
      });
      const key = await store.create(write({ a: 1 }));
      const big = { big: 'x'.repeat(4096) };

      const error = await rejection(
        store.save(key, {
          data: { a: 1, ...big },
          changes: { set: big, removed: [], replaced: false, increments: {} },
          expiry: 60,
        }),
      );

      expect(error).toBeInstanceOf(SessionCookieTooLargeError);
      expect((error as Error).message).not.toContain('xxxx');
      expect(await store.load(key)).toEqual({ a: 1 });
    });

    it('accepts no key longer than a cookie can be', async () => {
      const store = new SignedCookieSessionStore({
        secret: SECRET,
        cookieName: 'sessionid',
      });
      const key = await store.create(write({ a: 1 }));

      expect(store.acceptsKey(key)).toBe(true);
      expect(store.acceptsKey(`${'A'.repeat(4096)}${key}`)).toBe(false);
    });
  });

  it('cannot revoke a session: after delete(), the value still loads until it expires', async () => {
    const store = new SignedCookieSessionStore({
      secret: SECRET,
      cookieName: 'sessionid',
    });
    const key = await store.create(write({ user: 'alice' }));

    expect(await store.delete(key)).toBe(true);
    expect(await store.load(key)).toEqual({ user: 'alice' });
    expect(store.expiresByItself).toBe(true);
  });
});

describeSessionStoreContract(
  "'signed_cookies' (SignedCookieSessionStore)",
  () => ({
    store: new SignedCookieSessionStore({
      secret: SECRET,
      cookieName: 'sessionid',
    }),
    serverSide: false,
    // A cookie signed with the store's secret whose payload is not JSON: what
    // a bug in an earlier version, or a leaked secret, could have produced.
    corrupt: (key) =>
      Promise.resolve(
        new SessionSigner([SECRET]).sign(
          'not { json',
          parseInt(key.split('.')[1], 36),
        ),
      ),
  }),
);

expectOneCorruptDataWarning();
