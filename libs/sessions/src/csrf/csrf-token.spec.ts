import {
  CSRF_SECRET_LENGTH,
  csrfTokenMatches,
  isCsrfSecret,
  maskCsrfSecret,
  newCsrfSecret,
  unmaskCsrfToken,
} from './csrf-token.js';

describe('CSRF secrets and tokens', () => {
  it('makes secrets of 32 characters from [a-zA-Z0-9], each new', () => {
    const secrets = Array.from({ length: 100 }, () => newCsrfSecret());

    for (const secret of secrets) {
      expect(secret).toMatch(/^[a-zA-Z0-9]{32}$/);
      expect(isCsrfSecret(secret)).toBe(true);
    }
    expect(new Set(secrets).size).toBe(100);
  });

  it('drops random bytes that would favour some characters', () => {
    // 248 and above are dropped (256 % 62 = 8); 0 is 'a', 61 is '9'.
    const bytes = [255, 248, 0, 61, ...Array<number>(40).fill(1)];
    const secret = newCsrfSecret((size) =>
      Uint8Array.from(bytes.splice(0, size)),
    );

    expect(secret).toBe('a9' + 'b'.repeat(CSRF_SECRET_LENGTH - 2));
  });

  it('masks a secret afresh for each token, and every token unmasks to it', () => {
    const secret = newCsrfSecret();
    const tokens = Array.from({ length: 20 }, () => maskCsrfSecret(secret));

    expect(new Set(tokens).size).toBe(20);
    for (const token of tokens) {
      expect(token).toMatch(/^[a-zA-Z0-9]{64}$/);
      expect(token).not.toContain(secret);
      expect(unmaskCsrfToken(token)).toBe(secret);
      expect(csrfTokenMatches(token, secret)).toBe(true);
    }
  });

  it('shifts each character of the secret by the mask character at its place', () => {
    const mask = 'b'.repeat(CSRF_SECRET_LENGTH); // a shift of 1
    const secret = 'a9'.repeat(CSRF_SECRET_LENGTH / 2);

    expect(maskCsrfSecret(secret, mask)).toBe(
      mask + 'ba'.repeat(CSRF_SECRET_LENGTH / 2),
    );
  });

  it('refuses a token of another secret, a changed one, and anything that is not a token', () => {
    const secret = newCsrfSecret();
    const token = maskCsrfSecret(secret);
    const changed = token.slice(0, 63) + (token[63] === 'a' ? 'b' : 'a');

    expect(csrfTokenMatches(maskCsrfSecret(newCsrfSecret()), secret)).toBe(
      false,
    );
    expect(csrfTokenMatches(changed, secret)).toBe(false);
    expect(csrfTokenMatches(secret, secret)).toBe(false); // unmasked
    for (const bad of [
      undefined,
      null,
      42,
      ['x'],
      '',
      token + 'a',
      token.replace(/.$/, '!'),
    ]) {
      expect(csrfTokenMatches(bad, secret)).toBe(false);
    }
    expect(csrfTokenMatches(token, 'not a secret')).toBe(false);
  });
});
