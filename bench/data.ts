// Generated inputs for the whole-process benchmarks (bench/run.ts): a seeded two-way FE
// panel as CSV, and the flow project (package.json + workflow) that runs it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng } from '../src/econ/rng.js';

export interface FePanelOpts { units: number; years: number; seed?: number }

/**
 * id, year, y, x1..x5: y = unit effect + year effect + x'beta + e, with regressors correlated
 * with the unit effects (so pooled OLS is biased and the FE estimator is not).
 * 100,000 units x 10 years is ~1,000,000 rows, ~70 MB.
 */
export function writeFePanel(path: string, { units, years, seed = 20261128 }: FePanelOpts): void {
  const rng = makeRng(seed);
  const beta = [0.5, -0.3, 0.2, 0.1, -0.4];
  const te = Float64Array.from({ length: years }, () => rng.normal());
  const chunks: string[] = ['id,year,y,x1,x2,x3,x4,x5\n'];
  let buf = '';
  const x = new Float64Array(5);
  for (let i = 0; i < units; i++) {
    const ue = rng.normal();
    for (let t = 0; t < years; t++) {
      let y = ue + te[t] + rng.normal();
      let row = `${i + 1},${2001 + t},`;
      for (let k = 0; k < 5; k++) { x[k] = rng.normal() + 0.5 * ue - 0.2 * te[t]; y += beta[k] * x[k]; }
      row += y.toFixed(6);
      for (let k = 0; k < 5; k++) row += ',' + x[k].toFixed(6);
      buf += row + '\n';
    }
    if (buf.length > 1 << 20) { chunks.push(buf); buf = ''; }
  }
  chunks.push(buf);
  writeFileSync(path, chunks.join(''));
}

/** A flow project in `dir`: package.json (the project root), panel.csv and fe.json (load-csv -> fe). */
export function writeFeProject(dir: string, opts: FePanelOpts): { workflow: string; csv: string } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  const csv = join(dir, 'panel.csv');
  writeFePanel(csv, opts);
  const workflow = join(dir, 'fe.json');
  writeFileSync(workflow, JSON.stringify({
    description: `two-way FE on ${opts.units} units x ${opts.years} years, clustered by unit`,
    nodes: {
      panel: { uses: 'load-csv', with: { path: 'panel.csv' } },
      fe: {
        uses: 'fe',
        with: { y: 'y', x: ['x1', 'x2', 'x3', 'x4', 'x5'], fe: ['id', 'year'], panel: { id: 'id', time: 'year' }, vcov: { cluster: 'id' } },
        in: { data: 'panel.table' },
      },
    },
  }, null, 2) + '\n');
  return { workflow, csv };
}
