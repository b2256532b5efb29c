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
        {
          set: { a: 10, d: 4 },
          removed: ['b'],
          replaced: false,
          increments: {},
        },
      ),
    ).toEqual({ a: 10, c: 3, d: 4 });
  });

  it('keeps only the keys set when the data was replaced, or the stored data was not an object', () => {
    const changes = {
      set: { c: 3 },
      removed: [],
      replaced: true,
      increments: {},
    };

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
      increments: {},
    });

    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.stringify(data)).toBe('{"__proto__":{"b":2},"a":1}');
  });
});

describe('applySessionChanges with increments', () => {
  it('adds each amount to the stored number, not to the value the request saw', () => {
    const data = applySessionChanges(
      { visits: 7, label: 'x', other: 1 },
      {
        // The request loaded visits = 3 and added 1; another writer made it 7.
        set: { visits: 4, seen: 2 },
        removed: ['other'],
        replaced: false,
        increments: { visits: 1, seen: 2 },
      },
    );

    expect(data).toEqual({ visits: 8, label: 'x', seen: 2 });
  });

  it('counts a stored value that is not a number, or corrupt data, as 0', () => {
    const changes = {
      set: { n: 6 },
      removed: [],
      replaced: false,
      increments: { n: 5 },
    };

    expect(applySessionChanges({ n: 'five' }, changes)).toEqual({ n: 5 });
    expect(applySessionChanges(null, changes)).toEqual({ n: 5 });
    expect(applySessionChanges({}, { ...changes, replaced: true })).toEqual({
      n: 6,
    });
  });

  it('adds to a key named __proto__ as to any other', () => {
    const stored = parseSessionData('{"__proto__":2}')!;

    const data = applySessionChanges(stored, {
      set: JSON.parse('{"__proto__":3}') as Record<string, unknown>,
      removed: [],
      replaced: false,
      increments: JSON.parse('{"__proto__":1}') as Record<string, number>,
    });

    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.stringify(data)).toBe('{"__proto__":3}');
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
