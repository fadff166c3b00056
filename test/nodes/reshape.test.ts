import { describe, it, expect } from 'vitest';
import { reshapeNode } from '../../src/nodes/reshape.js';
import { tbl, runNode, rows } from './shape-helpers.js';

const wide = tbl({ 城市: ['上海', '南京'], '2019': Float64Array.of(2428.14, 850), '2020': Float64Array.of(2487.09, NaN) });
const reshape = (params: unknown, t = wide) => runNode(reshapeNode, params, { table: t });

describe('reshape', () => {
  it('long: years as columns become one row per city-year, the year as a number', async () => {
    const t = await reshape({ to: 'long', id: ['城市'], key: 'year', value: 'pop' });
    expect(rows(t)).toEqual({ 城市: ['上海', '上海', '南京', '南京'], year: [2019, 2020, 2019, 2020], pop: [2428.14, 2487.09, 850, NaN] });
    expect(t.column('year')).toBeInstanceOf(Float64Array);
  });

  it('long with stubs (Stata reshape long gdp pop, j(year)); a stub absent for a year is missing', async () => {
    const t0 = tbl({ city: ['A'], gdp2019: Float64Array.of(1), gdp2020: Float64Array.of(2), pop2020: Float64Array.of(9) });
    expect(rows(await reshape({ to: 'long', id: ['city'], key: 'year', stubs: ['gdp', 'pop'] }, t0))).toEqual({ city: ['A', 'A'], year: [2019, 2020], gdp: [1, 2], pop: [NaN, 9] });
    expect(rows(await reshape({ to: 'long', id: ['city'], key: 'year', stubs: ['gdp'], keyType: 'string' }, t0))).toEqual({ city: ['A', 'A'], year: ['2019', '2020'], gdp: [1, 2] });
    await expect(reshape({ to: 'long', id: ['city'], key: 'year', stubs: ['fdi'] }, t0)).rejects.toThrow('no column starts with stub "fdi"');
  });

  it('wide and back: long -> wide reproduces the wide table', async () => {
    const long = await reshape({ to: 'long', id: ['城市'], key: 'year', value: 'pop' });
    const back = await reshape({ to: 'wide', id: ['城市'], key: 'year', values: ['pop'] }, long);
    expect(rows(back)).toEqual({ 城市: ['上海', '南京'], pop2019: [2428.14, 850], pop2020: [2487.09, NaN] });
  });

  it('wide: a repeated (id, key) is an error naming it; a key with too many values is stopped by maxColumns', async () => {
    const dup = tbl({ city: ['A', 'A'], year: Float64Array.of(2020, 2020), v: Float64Array.of(1, 2) });
    await expect(reshape({ to: 'wide', id: ['city'], key: 'year', values: ['v'] }, dup)).rejects.toThrow('(city) and year do not identify rows: (A, 2020) appear more than once');
    const many = tbl({ city: ['A', 'A', 'A'], x: Float64Array.of(0.1, 0.2, 0.3), v: Float64Array.of(1, 2, 3) });
    await expect(reshape({ to: 'wide', id: ['city'], key: 'x', values: ['v'], maxColumns: 2 }, many)).rejects.toThrow('"x" has 3 distinct values, more than maxColumns = 2: is it the right key column?');
  });

  it('long: folding numbers and text into one column is refused', async () => {
    const t0 = tbl({ city: ['A'], a: Float64Array.of(1), b: ['x'] });
    await expect(reshape({ to: 'long', id: ['city'], key: 'k' }, t0)).rejects.toThrow('columns "a" (numbers) and "b" (text) cannot share one value column');
  });
});
