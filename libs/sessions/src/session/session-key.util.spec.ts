import { generateSessionKey, isValidSessionKey } from './session-key.util.js';

describe('generateSessionKey', () => {
  it('makes 32 characters from [a-z0-9]', () => {
    for (let i = 0; i < 200; i++) {
      expect(generateSessionKey()).toMatch(/^[a-z0-9]{32}$/);
    }
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 10_000 }, generateSessionKey));
    expect(keys.size).toBe(10_000);
  });

  it('uses every character of the alphabet about equally', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      for (const char of generateSessionKey()) {
        counts.set(char, (counts.get(char) ?? 0) + 1);
      }
    }
    // 64,000 characters over 36 symbols: about 1,778 each.
    expect(counts.size).toBe(36);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(1_500);
      expect(count).toBeLessThan(2_050);
    }
  });
});

describe('isValidSessionKey', () => {
  it.each(['abcdefgh', 'a'.repeat(40), generateSessionKey(), '0123456789'])(
    'accepts %s',
    (key) => {
      expect(isValidSessionKey(key)).toBe(true);
    },
  );

  it.each([
    ['shorter than 8', 'abcdefg'],
    ['longer than 40', 'a'.repeat(41)],
    ['upper case', 'ABCDEFGHIJ'],
    ['SQL', "x' OR '1'='1"],
    ['a path', '../../etc/passwd'],
    ['a space', 'abcd efgh'],
    ['a newline', 'abcdefgh\n'],
    ['empty', ''],
  ])('rejects a key %s', (_label, key) => {
    expect(isValidSessionKey(key)).toBe(false);
  });

  it.each([undefined, null, 12345678, ['abcdefgh']])('rejects %p', (key) => {
    expect(isValidSessionKey(key)).toBe(false);
  });
});
