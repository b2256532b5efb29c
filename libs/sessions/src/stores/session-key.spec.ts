import { generateSessionKey, isValidSessionKey } from './session-key.js';

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

  it('drops the bytes that would favour some characters (252 to 255)', () => {
    // 256 is not a multiple of 36: byte % 36 would make a-d more likely.
    const bytes = [252, 253, 254, 255, 0, 1, 35, 36, 251];
    const source = (size: number) =>
      Uint8Array.from({ length: size }, (_, i) => bytes[i % bytes.length]);
    expect(generateSessionKey(source)).toBe('ab9a9'.repeat(7).slice(0, 32));
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
