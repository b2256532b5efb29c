import {
  IncomingMessage,
  type OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import { Socket } from 'node:net';
import { appendSetCookie, readCookie, varyWithCookie } from './http-headers.js';

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

describe('appendSetCookie', () => {
  const response = () => new ServerResponse(new IncomingMessage(new Socket()));

  it('keeps the cookies already set', () => {
    const target = response();
    target.setHeader('Set-Cookie', 'theme=dark');
    appendSetCookie(target, undefined, 'sessionid=k');
    expect(target.getHeader('Set-Cookie')).toEqual([
      'theme=dark',
      'sessionid=k',
    ]);
  });

  it('joins the cookies about to be given to writeHead(), which would win', () => {
    const target = response();
    const given: OutgoingHttpHeaders = { 'set-cookie': 'theme=dark' };
    appendSetCookie(target, given, 'sessionid=k');
    expect(given['set-cookie']).toEqual(['theme=dark', 'sessionid=k']);
    expect(target.getHeader('Set-Cookie')).toBeUndefined();
  });
});
