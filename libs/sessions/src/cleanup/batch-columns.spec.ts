import pg from 'pg';
import { epochToDate } from './batch-columns.js';

describe('epochToDate', () => {
  it('gives the Date pg parses from the same instant, to the millisecond below', () => {
    const parse = pg.types.getTypeParser(
      pg.types.builtins.TIMESTAMPTZ,
      'text',
    ) as (text: string) => Date;
    const cases: [number, string][] = [
      [1794388440.123456, '2026-11-11 09:14:00.123456+00'],
      [1794388440.123, '2026-11-11 09:14:00.123+00'],
      [1794388440.999999, '2026-11-11 09:14:00.999999+00'],
      [1794388440, '2026-11-11 09:14:00+00'],
    ];
    for (const [epoch, text] of cases) {
      expect(epochToDate(epoch)).toEqual(parse(text));
    }
  });

  it('gives the infinities as pg does, from the text JSON carries them as', () => {
    expect(epochToDate('-Infinity')).toBe(-Infinity);
    expect(epochToDate('Infinity')).toBe(Infinity);
    expect(epochToDate(null)).toBeNull();
  });
});
