// pca-index: an index as the first principal component of standardised indicators (METHOD 1.8).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { pca } from '../econ/measure/pca.js';
import { gather, listCells, numericColumns, requireColumns, rowLabeler } from './columns.js';

const MSG = {
  missing: (cells: string) =>
    `indicators are missing at ${cells}. Fill them (clean-panel), filter the rows, or set "missing": "skip" to leave those rows out of the fit (their index is missing).`,
  tooFew: (n: number, p: number) => `only ${n} row(s) have every indicator: a PCA of ${p} indicators needs at least ${p + 1}.`,
  constant: (v: string) => `indicator "${v}" is constant over the rows used, so it cannot be standardised: remove it from "vars".`,
  components: (k: number, p: number) => `"components" is ${k} but there are only ${p} indicators.`,
} as const;

const params = z.object({
  vars: z.array(z.string()).min(2).describe('indicator columns; the first one fixes the sign (its loading is positive)'),
  out: z.string().default('intel_index').describe('name of the index column (scores of the first component)'),
  components: z.number().int().min(1).default(1).describe('number of component scores to add: the first is "out", the others out_pc2, out_pc3, ...'),
  missing: z.enum(['skip', 'error']).default('skip').describe("rows with a missing indicator: 'skip' (left out of the fit, missing score, listed in the report) or 'error'"),
  id: z.string().default('city').describe('unit column (used to name cells)'),
  time: z.string().default('year').describe('time column (used to name cells)'),
});

export const pcaIndex = defineNode({
  type: 'pca-index',
  version: 1,
  description: 'Principal-component index of standardised indicators (prcomp(scale. = TRUE)); sign fixed so that the first indicator loads positively (METHOD 1.8).',
  params,
  inputs: { data: { type: 'table', description: 'table with the indicator columns' } },
  outputs: {
    table: { type: 'table', description: 'data with the index column(s) added' },
    report: { type: 'json', description: 'loadings, eigenvalues, explained variance, centring and scaling, rows used' },
  },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    requireColumns(t, p.vars, 'data', nodeId);
    if (p.components > p.vars.length) throw dataError(MSG.components(p.components, p.vars.length), { node: nodeId });
    const label = rowLabeler(t, p.id, p.time);
    const X = numericColumns(t, p.vars, label, nodeId);
    const used: number[] = [];
    const skipped: number[] = [];
    for (let i = 0; i < t.numRows(); i++) (X.every((x) => Number.isFinite(x[i])) ? used : skipped).push(i);
    if (skipped.length > 0 && p.missing === 'error') throw dataError(MSG.missing(listCells(skipped, label)), { node: nodeId });
    if (used.length < p.vars.length + 1) throw dataError(MSG.tooFew(used.length, p.vars.length), { node: nodeId });
    const Xu = X.map((x) => gather(x, used));
    Xu.forEach((x, v) => {
      if (x.every((val) => val === x[0])) throw dataError(MSG.constant(p.vars[v]), { node: nodeId });
    });
    const res = pca(Xu);
    const added: Record<string, Float64Array> = {};
    for (let c = 0; c < p.components; c++) {
      const s = new Float64Array(t.numRows()).fill(NaN);
      used.forEach((i, j) => (s[i] = res.scores[c][j]));
      added[c === 0 ? p.out : `${p.out}_pc${c + 1}`] = s;
    }
    const loadings = Object.fromEntries(p.vars.map((v, j) => [v, res.rotation[j]]));
    return {
      table: t.assign(added),
      report: {
        vars: p.vars,
        n: res.n,
        signRule: `loading of "${p.vars[0]}" positive on every component`,
        center: res.center,
        scale: res.scale,
        eigenvalues: res.eigenvalues,
        sdev: res.sdev,
        varianceExplained: res.varianceExplained,
        loadings,
        skipped: skipped.map(label),
      },
    };
  },
});
