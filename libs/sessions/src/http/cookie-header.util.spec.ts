import { readCookie } from './cookie-header.util.js';

describe('readCookie', () => {
  it.each([
    ['sessionid=abc', 'abc'],
    ['a=1; sessionid=abc; b=2', 'abc'],
    ['  sessionid =  abc  ', 'abc'],
    ['sessionid="abc"', 'abc'],
    ['sessionid=first; sessionid=second', 'first'],
    ['sessionid=', ''],
    ['sessionid=a=b', 'a=b'],
  ])('reads %p', (header, expected) => {
    expect(readCookie(header, 'sessionid')).toBe(expected);
  });

  it.each([
    undefined,
    '',
    'other=1',
    'xsessionid=abc',
    'sessionidx=abc',
    'sessionid',
  ])('finds nothing in %p', (header) => {
    expect(readCookie(header, 'sessionid')).toBeUndefined();
  });

  it('reads a header given as several lines', () => {
    expect(readCookie(['a=1', 'sessionid=abc'], 'sessionid')).toBe('abc');
  });
});
