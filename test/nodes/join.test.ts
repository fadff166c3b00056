import { describe, it, expect } from 'vitest';
import { joinNode } from '../../src/nodes/join.js';
import { tbl, runNode, rows } from './shape-helpers.js';

const panel = tbl({ city_zh: ['上海', '上海', '泰州', '台州'], year: Float64Array.of(2019, 2020, 2020, 2020), gdp: Float64Array.of(1, 2, 3, 4) });
const cities = tbl({ city_zh: ['台州', '泰州', '上海', '南京'], city: ['Taizhou_ZJ', 'Taizhou_JS', 'Shanghai', 'Nanjing'], lat: Float64Array.of(28.6, 32.5, 31.2, 32.1) });
const join = (params: unknown, left = panel, right = cities) => runNode(joinNode, params, { left, right });

describe('join', () => {
  it('left join many-to-one keeps the left rows in order and adds the right columns (numbers as Float64Array)', async () => {
    const t = await join({ on: ['city_zh'] });
    expect(rows(t)).toEqual({ city_zh: ['上海', '上海', '泰州', '台州'], year: [2019, 2020, 2020, 2020], gdp: [1, 2, 3, 4], city: ['Shanghai', 'Shanghai', 'Taizhou_JS', 'Taizhou_ZJ'], lat: [31.2, 31.2, 32.5, 28.6] });
    expect(t.column('lat')).toBeInstanceOf(Float64Array);
  });

  it('keys with different names, several keys, and keep (Stata keepusing)', async () => {
    const right = tbl({ name: ['上海', '上海'], yr: Float64Array.of(2020, 2019), pop: Float64Array.of(20, 19), extra: ['x', 'y'] });
    const t = await join({ on: { city_zh: 'name', year: 'yr' }, keep: ['pop'], unmatched: 'allow' }, panel, right);
    expect(rows(t)).toEqual({ ...rows(panel), pop: [19, 20, NaN, NaN] });
    const inner = await join({ on: { city_zh: 'name', year: 'yr' }, keep: ['pop'], how: 'inner', unmatched: 'allow' }, panel, right);
    expect(rows(inner)).toEqual({ city_zh: ['上海', '上海'], year: [2019, 2020], gdp: [1, 2], pop: [19, 20] });
  });

  it('unmatched keys are named with the fix; allow turns them into missing values', async () => {
    const right = tbl({ city_zh: ['上海市', '泰州', '台州'], n: Float64Array.of(1, 2, 3) });
    await expect(join({ on: ['city_zh'] }, panel, right)).rejects.toThrow(
      '2 row(s) of left have no match in right on (city_zh): 上海. Fix the key values on one side (a spelling, a code, a missing year), add the rows to right, or set "unmatched": "allow"');
    expect(Array.from((await join({ on: ['city_zh'], unmatched: 'allow' }, panel, right)).array('n') as Float64Array)).toEqual([NaN, NaN, 2, 3]);
  });

  it('a right table that is not unique on the key (many-to-many) is an error naming the keys', async () => {
    const right = tbl({ city_zh: ['上海', '上海', '泰州'], year: Float64Array.of(2020, 2020, 2020), v: Float64Array.of(1, 2, 3) });
    await expect(join({ on: ['city_zh', 'year'], unmatched: 'allow' }, panel, right)).rejects.toThrow(
      'right is not unique on (city_zh, year): (上海, 2020) appear more than once: aggregate right first (aggregate), join on more columns, or fix the duplicates');
    await expect(join({ on: ['city_zh'], validate: 'one-to-one' })).rejects.toThrow('validate "one-to-one": left repeats (city_zh) 上海');
  });

  it('a key that is a number on one side and text on the other, a clashing column, a missing key', async () => {
    const textYear = tbl({ year: ['2019', '2020'], v: Float64Array.of(1, 2) });
    await expect(join({ on: ['year'] }, panel, textYear)).rejects.toThrow('key "year" is number in left but "year" is text in right: make both numbers or both text upstream');
    await expect(join({ on: ['city_zh'] }, panel, tbl({ city_zh: ['上海'], gdp: Float64Array.of(1) }))).rejects.toThrow('columns "gdp" are in both tables: list the right columns to add in "keep", or rename one side first');
    await expect(join({ on: ['city_zh'] }, tbl({ city_zh: ['上海', null] }), cities)).rejects.toThrow('1 row(s) of left have a missing key (city_zh)');
    await expect(join({ on: ['nope'] })).rejects.toThrow(/input "left" has no column "nope"/);
  });
});
