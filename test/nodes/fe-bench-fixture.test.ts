// load-csv -> fe on a small panel from the benchmark's generator (bench/data.ts: unit and
// year effects, 5 regressors correlated with the unit effects, clustered by unit) against
// fixest 0.14.2 (test/fixtures/fe_bench_fixest.json: its call and versions). The bench run
// checks the same at 1M and 10M rows (to 1e-8 / 1e-6); here at the agreement achieved (4e-15).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCsvTable } from '../../src/nodes/load-csv.js';
import { fitFeModel } from '../../src/nodes/fe.js';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/${f}`, import.meta.url));
const ref = JSON.parse(readFileSync(fixture('fe_bench_fixest.json'), 'utf8'));

describe('fe on the benchmark panel', () => {
  it('load-csv -> fe(y ~ x1..x5 | id + year, cluster id) gives fixest\'s estimates and clustered SEs', () => {
    const table = loadCsvTable(fixture('fe_bench_panel.csv'), { delimiter: ',' });
    const m = fitFeModel(table, { y: 'y', x: ['x1', 'x2', 'x3', 'x4', 'x5'], fe: ['id', 'year'], panel: { id: 'id', time: 'year' }, vcov: { cluster: 'id' } } as never) as {
      coefficients: { term: string; estimate: number; std_error: number }[]; stats: { nobs: number };
    };
    expect(m.stats.nobs).toBe(ref.nobs);
    for (const term of ['x1', 'x2', 'x3', 'x4', 'x5']) {
      const c = m.coefficients.find((r) => r.term === term)!;
      expect(Math.abs(c.estimate / ref.estimates[term] - 1)).toBeLessThan(1e-13); // achieved: 4e-15
      expect(Math.abs(c.std_error / ref.std_errors[term] - 1)).toBeLessThan(1e-13); // achieved: 4e-15
    }
  });
});
