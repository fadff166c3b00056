import { describe, it, expect } from 'vitest';
import { aggregateNode } from '../../src/nodes/aggregate.js';
import { tbl, runNode, rows } from './shape-helpers.js';

const panel = tbl({ city: ['A', 'A', 'B', 'B', 'B'], year: Float64Array.of(2019, 2020, 2018, 2019, 2020), x: Float64Array.of(1, 3, 2, 4, 9), y: Float64Array.of(1, NaN, 5, 5, 5) });
const agg = (params: unknown, t = panel) => runNode(aggregateNode, params, { table: t });

describe('aggregate', () => {
  it('one row per group in order of first appearance: mean, sum, min, max, sd, var, median, first, last, n()', async () => {
    const t = await agg({ by: ['city'], columns: { mean: 'mean(x)', sum: 'sum(x)', min: 'min(x)', max: 'max(x)', sd: 'sd(x)', var: 'var(x)', med: 'median(x)', first: 'first(x)', last: 'last(x)', n: 'n()' } });
    expect(rows(t)).toEqual({ city: ['A', 'B'], mean: [2, 5], sum: [4, 15], min: [1, 2], max: [3, 9], sd: [Math.sqrt(2), Math.sqrt(13)], var: [2, 13], med: [2, 4], first: [1, 2], last: [3, 9], n: [2, 3] });
  });

  it('a missing value is an error naming the cell, or skipped; count and nmissing count them', async () => {
    await expect(agg({ by: ['city'], columns: { y: 'mean(y)' } })).rejects.toThrow('column "y" is missing at (A, 2020): fill or drop those rows upstream, or set "missing": "skip" to summarise what is there');
    const t = await agg({ by: ['city'], columns: { y: 'mean(y)', c: 'count(y)', m: 'nmissing(y)' }, missing: 'skip' });
    expect(rows(t)).toEqual({ city: ['A', 'B'], y: [1, 5], c: [1, 3], m: [1, 0] });
  });

  it('no groups: one row; several group columns', async () => {
    expect(rows(await agg({ columns: { x: 'sum(x)' } }))).toEqual({ x: [19] });
    const t = await agg({ by: ['city', 'year'], columns: { x: 'max(x)' } });
    expect(t.numRows()).toBe(5);
  });

  it('a malformed spec or an unknown column is refused before anything is computed', async () => {
    await expect(agg({ by: ['city'], columns: { x: 'average(x)' } })).rejects.toThrow('columns.x: "average(x)" is not "fun(column)" with fun one of mean, sum, min, max, sd, var, median, first, last, count, nmissing (or "n()")');
    await expect(agg({ by: ['city'], columns: { city: 'mean(x)' } })).rejects.toThrow('"city" is both a group column and an output');
    await expect(agg({ by: ['city'], columns: { z: 'mean(zz)' } })).rejects.toThrow(/no column "zz"/);
  });
});
