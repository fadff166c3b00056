import { describe, it, expect, beforeAll } from 'vitest';
import { tableNode, tableParams } from '../../src/nodes/table.js';
import { reportNode, reportParams } from '../../src/nodes/report.js';
import { specCurveNode, specCurveParams } from '../../src/nodes/spec-curve.js';
import { fitMediation } from '../../src/nodes/mediation.js';
import { fitSubgroups } from '../../src/nodes/subgroup.js';
import { feA, feB, iv, sdm, grunfeld } from '../report/fixtures.js';
import { parseMarkdownTable } from '../report/markdown-roundtrip.js';
import type { Report } from '../../src/ports/index.js';
import type { Provenance } from '../../src/graph/node.js';

const ctx = (params: unknown, inputs: Record<string, unknown>, nodeId: string, extra: Record<string, unknown> = {}) =>
  ({ params, inputs, nodeId, resolvePath: (p: string) => p, ...extra }) as any;
const table = async (models: unknown[], nodeId: string, p: Record<string, unknown> = {}): Promise<Report> =>
  ((await tableNode.run(ctx(tableParams.parse({ format: ['md', 'html'], ...p }), { models }, nodeId))) as any).report;

const provenance: Provenance = {
  workflow: 'workflows/paper.json',
  nodes: [
    { id: 'panel', type: 'load-csv', version: 1, key: 'aaa111', params: { path: 'data/panel.csv' }, inputs: [], files: [{ path: 'data/panel.csv', sha256: 'f00d' }] },
    { id: 'fe.ris', type: 'fe', version: 1, key: 'bbb222', params: { y: 'RIS' }, inputs: [{ port: 'data', from: 'panel.table' }], files: [] },
    { id: 'table2', type: 'table', version: 1, key: 'ccc333', params: { title: 'Baseline' }, inputs: [{ port: 'models', from: 'fe.ris.model' }], files: [] },
    { id: 'table3', type: 'table', version: 1, key: 'ddd444', params: {}, inputs: [], files: [] },
  ],
};

describe('report: one self-contained HTML file', () => {
  let t2: Report, t3: Report;
  beforeAll(async () => { t2 = await table([feA, feB], 'table2', { title: 'Baseline' }); t3 = await table([iv, sdm], 'table3', { title: 'Robustness' }); });
  let html = '';

  it('composes the DAG, every table, a coefficient plot, an effects plot and provenance', async () => {
    const out = (await reportNode.run(ctx(reportParams.parse({ title: 'Paper <tables>' }), { parts: [t2, t3] }, 'report', { provenance }))) as any;
    html = out.report.files['report.html'];
    expect(Object.keys(out.report.files)).toEqual(['report.html']);
    expect(html).toContain('<title>Paper &lt;tables&gt;</title>');
    expect(html.match(/<table class="flow-table"/g)).toHaveLength(2);
    expect(html).toContain('Coefficient of value across models');
    expect(html).toContain('Spatial effects of lnINF: direct, indirect, total');
    expect(html.match(/<svg/g)!.length).toBe(3); // DAG, coefficient plot, effects plot
    expect(html).toContain('cache key <code>ccc333</code>');
    expect(html).toContain('<code>data/panel.csv</code></td><td><code>f00d</code>');
  });

  it('draws the DAG with Graphviz on request', async () => {
    const out = (await reportNode.run(ctx(reportParams.parse({ dag: 'graphviz' }), { parts: [t2] }, 'report', { provenance }))) as any;
    expect(out.report.files['report.html']).toContain('class="graph"');
  });

  it('has no scripts and no external resources', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    expect(html).not.toMatch(/<link /i);
  });

  it('plots the requested term across models, and works without provenance', async () => {
    const out = (await reportNode.run(ctx(reportParams.parse({ term: 'lnINF' }), { parts: [t3] }, 'r'))) as any;
    const h: string = out.report.files['report.html'];
    expect(h).toContain('Coefficient of lnINF across models');
    expect(h).not.toContain('Provenance');
  });
});

describe('mediation and subgroup models in tables', () => {
  it('prints a mediation model as its equations: unique column numbers, the equation and mechanism in header rows, the summary under the b equation', async () => {
    const m = fitMediation(grunfeld, { treatment: 'value', mediator: 'capital', outcome: 'inv', panel: { id: 'firm', time: 'year' }, vcov: 'iid', bootstrap: { reps: 199, seed: 1, level: 0.95 } } as any);
    const md = (await table([m], 'table5', { format: 'md' })).files['table5.md'];
    const { header, rows } = parseMarkdownTable(md);
    expect(header).toEqual(['', '(1)', '(2)', '(3)']);
    const get = (l: string) => rows.find((r) => r[0] === l)!.slice(1);
    expect(get('Dependent variable')).toEqual(['capital', 'inv', 'inv']);
    expect(get('Equation')).toEqual(['(8)', '(9)', '(10)']);
    expect(get('Mechanism')).toEqual(['capital', 'capital', 'capital']);
    const ind = (m as any).indirect;
    expect(get('Sobel z [p]')[2]).toBe(`${ind.sobel_z.toFixed(3)} [${ind.sobel_p.toFixed(3)}]`);
    expect(get('Indirect effect a x b')[2]).toBe(`${ind.estimate.toFixed(3)}***`);
    expect(get("Stepwise verdict (paper's procedure)")[2]).toBe('partial mediation');
    expect(get('Cluster bootstrap 95% CI')[2]).toBe(`[${ind.boot_ci_low.toFixed(3)}, ${ind.boot_ci_high.toFixed(3)}]`);
    expect(get('Monte Carlo SE of the CI bounds')[2]).toBe(`{${ind.boot_ci_low_mc_se.toFixed(4)}, ${ind.boot_ci_high_mc_se.toFixed(4)}}`);
  });

  it('marks a bootstrap CI whose verdict on zero rests within its Monte Carlo error, with the reason in a note', async () => {
    const m = fitMediation(grunfeld, { treatment: 'value', mediator: 'capital', outcome: 'inv', panel: { id: 'firm', time: 'year' }, vcov: 'iid', bootstrap: { reps: 199, seed: 1, level: 0.95 } } as any) as any;
    // the same model with its lower bound moved to within one MC SE of zero
    const ind = { ...m.stages[0].indirect, boot_ci_low: -0.5 * m.stages[0].indirect.boot_ci_low_mc_se, boot_verdict: { excludes_zero: false, settled: false, text: 'the 95% bootstrap CI includes zero, but its lower bound is within 2 Monte Carlo SEs of zero' } };
    const near = { ...m, stages: [{ ...m.stages[0], indirect: ind }] };
    const md = (await table([near], 't', { format: 'md' })).files['t.md'];
    const row = parseMarkdownTable(md).rows.find((r) => r[0] === 'Cluster bootstrap 95% CI')!;
    expect(row[3]).toMatch(/\]\u2020$/);
    expect(md).toContain('\u2020 Within Monte Carlo error: the 95% bootstrap CI includes zero');
    const settled = (await table([m], 't', { format: 'md' })).files['t.md'];
    expect(settled).not.toContain('\u2020');
  });

  it('prints subgroup columns under a Group header row and the Wald equality test on its own spanning row', async () => {
    const data = grunfeld.derive({ size: (d: any) => (d.firm <= 3 ? 'large' : d.firm <= 6 ? 'medium' : 'small') });
    const s = fitSubgroups(data, { y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' }, by: 'size' } as any);
    const { header, rows } = parseMarkdownTable((await table([s], 'table7', { format: 'md', keep: ['value'] })).files['table7.md']);
    expect(header).toEqual(['', '(1)', '(2)', '(3)']);
    expect(rows.find((r) => r[0] === 'Group')!.slice(1)).toEqual(['large', 'medium', 'small']);
    const t = (s.at(-1) as any).equality_test;
    const test = rows.find((r) => r[0] === 'Equal value across size (inv)')!;
    expect(test.slice(1)).toEqual([`F(2, 9) = ${t.F.toFixed(3)}, p = ${t.p_value.toFixed(3)}`, '', '']);
    expect(t.df2).toBe(9);
  });

  it('interleaves two subgroup outputs with columnOrder (Table 7): one spanning row per test, the note once', async () => {
    const data = grunfeld.derive({ size: (d: any) => (d.firm <= 5 ? 'large' : 'small') });
    const spec = { x: ['value'], panel: { id: 'firm', time: 'year' }, by: 'size' };
    const a = fitSubgroups(data, { ...spec, y: 'inv' } as any);
    const b = fitSubgroups(data, { ...spec, y: 'capital' } as any);
    const md = (await table([a, b], 'table7', { format: 'md', columnOrder: [1, 3, 2, 4] })).files['table7.md'];
    const { header, rows } = parseMarkdownTable(md);
    expect(header).toEqual(['', '(1)', '(2)', '(3)', '(4)']);
    expect(rows.find((r) => r[0] === 'Group')!.slice(1)).toEqual(['large', 'large', 'small', 'small']);
    expect(rows.find((r) => r[0] === 'Dependent variable')!.slice(1)).toEqual(['inv', 'capital', 'inv', 'capital']);
    for (const y of ['inv', 'capital']) {
      const test = rows.filter((r) => r[0] === `Equal value across size (${y})`);
      expect(test).toHaveLength(1);
      expect(test[0].slice(2)).toEqual(['', '', '']);
    }
    expect(md.match(/Equality test: Wald test/g)).toHaveLength(1);
    // the clusters of each column in the notes, not fixed text
    expect(md).toContain('clustered by firm (5 clusters), t(4) p-values');
  });
});

describe('spec-curve', () => {
  const branch = (delta: number, shift: number) => ({ ...feA, coefficients: (feA.coefficients as any[]).map((c) => ({ ...c, estimate: c.estimate + shift })) });
  const models = [branch(0.09, 0.02), branch(0.096, -0.01), branch(0.1, 0)];
  const sources = { models: [0.09, 0.096, 0.1].map((d) => ({ node: `fe[delta=${d}]`, port: 'model', branch: { delta: d } })) };

  it('sorts branches by estimate, labels them by their matrix branch, and draws an SVG', () => {
    const out = (specCurveNode.run(ctx(specCurveParams.parse({ term: 'value' }), { models }, 'curve', { sources })) as any).report as Report;
    const { rows } = parseMarkdownTable(out.files['curve.md']);
    expect(rows.map((r) => r[0])).toEqual(['delta=0.096', 'delta=0.1', 'delta=0.09']);
    const est = rows.map((r) => parseFloat(r[1]));
    expect([...est].sort((a, b) => a - b)).toEqual(est);
    expect(out.files['curve.svg']).toMatch(/^<svg/);
    expect(out.files['curve.csv']).toContain('delta=0.1');
  });

  it('takes labels by position, and re-derives CIs at another level', () => {
    const out = (specCurveNode.run(ctx(specCurveParams.parse({ term: 'value', labels: ['a', 'b', 'c'], level: 0.9 }), { models }, 'c2')) as any).report as Report;
    const { header, rows } = parseMarkdownTable(out.files['c2.md']);
    expect(header[3]).toBe('90% CI');
    expect(rows[0][0]).toBe('b');
  });

  it('names a branch that lacks the term', () => {
    expect(() => specCurveNode.run(ctx(specCurveParams.parse({ term: 'nope' }), { models }, 'c3', { sources }))).toThrow(/fe\[delta=0.09\]|delta=0.09/);
  });
});
