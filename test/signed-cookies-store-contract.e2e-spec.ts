import { SignedCookieSessionStore } from '@app/sessions';
import { describeSessionStoreContract } from '@app/sessions/testing';
import { SessionSigner } from '../libs/sessions/src/stores/session-signer.util.js';

const SECRET = 'contract-secret-0123456789abcdefghijklmnop';

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
