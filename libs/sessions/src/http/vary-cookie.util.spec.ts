import { varyWithCookie } from './vary-cookie.util.js';

describe('varyWithCookie', () => {
  it.each([
    [undefined, 'Cookie'],
    ['', 'Cookie'],
    ['Accept-Encoding', 'Accept-Encoding, Cookie'],
    [['Accept', 'Origin'], 'Accept, Origin, Cookie'],
  ])('adds Cookie to %p', (current, expected) => {
    expect(varyWithCookie(current)).toBe(expected);
  });

  it.each(['Cookie', 'accept, cookie', '*'])(
    'leaves %p as it is',
    (current) => {
      expect(varyWithCookie(current)).toBeUndefined();
    },
  );
});
