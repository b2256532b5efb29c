import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  applySessionChanges,
  decodeSessionData,
  parseSessionData,
  parseSessionText,
} from './session-data.js';

describe('applySessionChanges', () => {
  it('removes the keys removed and writes the keys set over the stored data', () => {
    expect(
      applySessionChanges(
        { a: 1, b: 2, c: 3 },
        { set: { a: 10, d: 4 }, removed: ['b'], replaced: false },
      ),
    ).toEqual({ a: 10, c: 3, d: 4 });
  });

  it('keeps only the keys set when the data was replaced, or the stored data was not an object', () => {
    const changes = { set: { c: 3 }, removed: [], replaced: true };

    expect(applySessionChanges({ a: 1 }, changes)).toEqual({ c: 3 });
    expect(applySessionChanges(null, { ...changes, replaced: false })).toEqual({
      c: 3,
    });
  });

  it('treats a key named __proto__ as a key like any other', () => {
    const stored = parseSessionData('{"__proto__":{"admin":true},"a":1}')!;

    const data = applySessionChanges(stored, {
      set: JSON.parse('{"__proto__":{"b":2}}') as Record<string, unknown>,
      removed: [],
      replaced: false,
    });

    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.stringify(data)).toBe('{"__proto__":{"b":2},"a":1}');
  });
});

describe('parseSessionData', () => {
  it('gives the object stored as JSON, and null for anything else', () => {
    expect(parseSessionData('{"a":1}')).toEqual({ a: 1 });
    for (const text of ['not json', '[1]', '"text"', '3', 'null', '']) {
      expect([text, parseSessionData(text)]).toEqual([text, null]);
    }
  });
});

describe('parseSessionData and parseSessionText', () => {
  it('take an object as it is from a column, and only text from a cache entry', () => {
    expect(parseSessionData({ a: 1 })).toEqual({ a: 1 });
    expect(parseSessionData([1])).toBeNull();
    expect(parseSessionText({ a: 1 })).toBeNull();
    expect(parseSessionText('{"a":1}')).toEqual({ a: 1 });
  });
});

describe('decodeSessionData', () => {
  it('loads anything but an object as an empty session', () => {
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    try {
      expect(decodeSessionData('{"a":1}')).toEqual({ a: 1 });
      expect(decodeSessionData('[1]')).toEqual({});
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });
});
