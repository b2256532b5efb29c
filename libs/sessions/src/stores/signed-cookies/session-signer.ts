// The module object, not named imports: the spec watches timingSafeEqual on it.
import crypto from 'node:crypto';

/**
 * What the signing key is derived for: the app's secret may sign other
 * things too (CSRF tokens, other cookies), and a value signed for one use
 * must never verify for another.
 */
const KEY_PURPOSE = 'nest-sessions signed_cookies';

/** Bytes of randomness that make every value new, even for the same data. */
const NONCE_BYTES = 8;

/**
 * `<payload>.<expires>.<nonce>.<signature>`: base64url JSON, the expiry in
 * base-36 epoch milliseconds (11 digits reach past year 275000), base64url
 * nonce and HMAC-SHA256.
 */
const SIGNED_VALUE =
  /^[A-Za-z0-9_-]+\.[0-9a-z]{1,11}\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]{43}$/;

/** A value whose signature verified and that has not expired. */
export interface OpenedSessionValue {
  /** The session data's JSON text, as signed (not necessarily an object). */
  readonly json: string;
  /** When it expires, in epoch milliseconds. */
  readonly expiresAt: number;
}

/**
 * Signs session data into a cookie value and opens such values again:
 * HMAC-SHA256 over payload, expiry and nonce, compared in constant time.
 * New values are signed with the first secret; values signed with any of
 * them verify, so secrets can be rotated.
 */
export class SessionSigner {
  private readonly keys: readonly Buffer[];

  /** `secrets`: the current secret first, then former ones that still verify. */
  constructor(secrets: readonly [string, ...string[]]) {
    this.keys = secrets.map((secret) =>
      crypto.createHmac('sha256', secret).update(KEY_PURPOSE).digest(),
    );
  }

  /** A value holding `json` until `expiresAt` (epoch ms), signed with the current secret. */
  sign(json: string, expiresAt: number): string {
    const payload = Buffer.from(json, 'utf8').toString('base64url');
    // Past instants (an expired session) stay in the value's alphabet.
    const expires = Math.max(0, Math.ceil(expiresAt)).toString(36);
    const nonce = crypto.randomBytes(NONCE_BYTES).toString('base64url');
    const signed = `${payload}.${expires}.${nonce}`;
    return `${signed}.${signature(this.keys[0], signed)}`;
  }

  /** Whether `value` has the shape of a signed value (its signature unchecked). */
  isWellFormed(value: string): boolean {
    return SIGNED_VALUE.test(value);
  }

  /**
   * What `value` holds, if one of the secrets signed it exactly as it is and
   * it has not expired at `now`; `null` for anything else (malformed,
   * truncated, tampered with, signed with an unknown secret, expired).
   */
  open(value: string, now: number = Date.now()): OpenedSessionValue | null {
    if (!this.isWellFormed(value)) {
      return null;
    }
    const dot = value.lastIndexOf('.');
    const signed = value.slice(0, dot);
    // The signature is compared as the text sent, not decoded: base64url
    // decoding ignores some bits, so two texts could decode alike.
    const given = Buffer.from(value.slice(dot + 1), 'latin1');
    const verified = this.keys.some((key) => {
      const expected = Buffer.from(signature(key, signed), 'latin1');
      return (
        expected.length === given.length &&
        crypto.timingSafeEqual(expected, given)
      );
    });
    if (!verified) {
      return null;
    }
    const [payload, expires] = signed.split('.');
    const expiresAt = parseInt(expires, 36);
    if (expiresAt <= now) {
      return null;
    }
    return {
      json: Buffer.from(payload, 'base64url').toString('utf8'),
      expiresAt,
    };
  }
}

function signature(key: Buffer, signed: string): string {
  return crypto.createHmac('sha256', key).update(signed).digest('base64url');
}
