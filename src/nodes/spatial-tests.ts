// What the specification-test nodes (moran, spatial-lm, spatial-lr-wald, hausman) share: one
// table shape, so that `append` stacks them into one diagnostics table (each node's computation
// is a module of its own, *-test.ts, so its code hash covers only the kernels it runs):
//   test (text) | y (text) | statistic | z (Moran only) | df (chi2 tests) | p_value
// (NaN where a column does not apply: printed blank). Each node also returns a
// model-like JSON { estimator, call, stats, tests: the same rows, ... }.
import type { ColumnTable } from 'arquero';
import * as aq from 'arquero';
import { num } from '../econ/inference.js';

export const FE_LABEL = { none: 'pooled', individual: 'unit FE', time: 'period FE', twoways: 'two-way FE' } as const;

export interface TestRow { test: string; y: string; statistic: number; z: number; df: number; p_value: number }

export function testTable(rows: TestRow[]): ColumnTable {
  return aq.table({
    test: rows.map((r) => r.test),
    y: rows.map((r) => r.y),
    statistic: Float64Array.from(rows, (r) => r.statistic),
    z: Float64Array.from(rows, (r) => r.z),
    df: Float64Array.from(rows, (r) => r.df),
    p_value: Float64Array.from(rows, (r) => r.p_value),
  });
}

export const jsonRows = (rows: TestRow[]) => rows.map((r) => ({
  test: r.test, y: r.y, statistic: num(r.statistic), z: num(r.z), df: Number.isNaN(r.df) ? null : r.df, p_value: num(r.p_value),
}));

