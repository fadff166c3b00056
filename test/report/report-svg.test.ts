// The report's SVG, checked on its markup: the specification curve's indicator panel says
// exactly each branch's params, every text's estimated width fits the viewBox (nothing cut),
// the DAG of workflows/multiverse.json draws one box per declared node with its number of
// matrix copies, and a --set run's report says which params were set (they are in its key).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specCurveNode, specCurveParams, optionText } from '../../src/nodes/spec-curve.js';
import { reportNode, reportParams } from '../../src/nodes/report.js';
import { specCurveSvg, textW } from '../../src/report/spec-curve-svg.js';
import { dagNodes, dagSvg } from '../../src/report/dag.js';
import { boxWidth } from '../../src/report/dag-layout.js';
import { openWorkflow } from '../../src/cli/common.js';
import { provenanceOf, provenanceHash } from '../../src/graph/fingerprint.js';
import type { Plan } from '../../src/graph/plan.js';
import type { Provenance } from '../../src/graph/node.js';
import { feA } from './fixtures.js';
import { REPO } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';

const ctx = (params: unknown, inputs: Record<string, unknown>, nodeId: string, extra: Record<string, unknown> = {}) =>
  ({ params, inputs, nodeId, resolvePath: (p: string) => p, ...extra }) as any;

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** every <text> (not rotated): its estimated horizontal extent */
function textExtents(svg: string, rootSize = 12): { text: string; lo: number; hi: number }[] {
  const out: { text: string; lo: number; hi: number }[] = [];
  for (const m of svg.matchAll(/<text([^>]*)>(.*?)<\/text>/g)) {
    if (/transform=/.test(m[1])) continue;
    const text = unescape(m[2].replace(/<[^>]+>/g, ''));
    const x = Number(attr(m[1], 'x')), size = Number(attr(m[1], 'font-size') ?? rootSize);
    const w = textW(text, size), anchor = attr(m[1], 'text-anchor') ?? 'start';
    const lo = anchor === 'end' ? x - w : anchor === 'middle' ? x - w / 2 : x;
    out.push({ text, lo, hi: lo + w });
  }
  return out;
}
const viewBox = (svg: string) => /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg)!.slice(1).map(Number);

describe('specification curve: two panels', () => {
  // FE and IV do not depend on W (8 branches each), SDM does (24): as in workflows/multiverse.json
  const branches: { node: string; estimator: string; branch: Record<string, unknown> }[] = [];
  for (const delta of [0.09, 0.096]) for (const winsor of [[0.01, 0.99], [0.05, 0.95]]) for (const pimBase of ['zhang', 'hall-jones']) {
    branches.push({ node: 'fe_ris', estimator: 'fe', branch: { delta, winsor, pimBase } });
    branches.push({ node: 'iv_ris', estimator: 'iv', branch: { delta, winsor, pimBase } });
    for (const wMethod of ['inverse-distance', 'knn', 'geo-economic']) branches.push({ node: 'sdm_ris', estimator: 'sdm', branch: { delta, wMethod, winsor, pimBase } });
  }
  // distinct estimates, so that a point's estimate names its branch
  const est = (i: number) => 0.01 + ((i * 37) % branches.length) / 1000;
  const models = branches.map((b, i) => ({ ...feA, estimator: b.estimator, coefficients: [{ term: 'lnINF', estimate: est(i), std_error: 0.005, p_value: 0.01 }] }));
  const sources = { models: branches.map((b) => ({ node: `${b.node}[${Object.entries(b.branch).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`, port: 'model', branch: b.branch })) };
  const choices = { delta: 'delta', wMethod: 'W', winsor: 'winsor', pimBase: 'base stock' };
  let svg = '';
  beforeAll(() => {
    const out = (specCurveNode.run(ctx(specCurveParams.parse({ term: 'lnINF', title: 'Specification curve: lnINF coefficient on RIS across the multiverse (FE, IV, SDM)', choices }), { models }, 'spec_ris', { sources })) as any).report;
    svg = out.files['spec_ris.svg'];
    // the same SVG in the report part
    expect(out.parts.find((p: any) => p.kind === 'plot').svg).toBe(svg);
  });

  it('marks, for every specification, exactly its estimator and its branch params in the indicator panel', () => {
    const point = new Map<number, number>(); // spec index -> estimate
    for (const m of svg.matchAll(/<circle data-spec="(\d+)"[^>]*><title>[^<]*: ([-\d.e]+)<\/title>/g)) point.set(Number(m[1]), Number(m[2]));
    expect(point.size).toBe(branches.length);
    const marks = new Map<number, Record<string, string>>();
    for (const m of svg.matchAll(/<rect data-spec="(\d+)" data-choice="([^"]*)" data-option="([^"]*)"/g)) {
      const row = marks.get(Number(m[1])) ?? {};
      expect(row[m[2]], `spec ${m[1]} marked twice for ${m[2]}`).toBeUndefined();
      row[m[2]] = unescape(m[3]);
      marks.set(Number(m[1]), row);
    }
    for (const [i, e] of point) {
      const b = branches[models.findIndex((x) => Math.abs(x.coefficients[0].estimate - e) < 1e-12)];
      const want = { estimator: b.estimator.toUpperCase(), ...Object.fromEntries(Object.entries(b.branch).map(([k, v]) => [k, optionText(v)])) };
      expect(marks.get(i)).toEqual(want);
    }
    // sorted by estimate, left to right
    const xs = [...svg.matchAll(/<circle data-spec="(\d+)" cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => ({ i: Number(m[1]), x: Number(m[2]) }));
    const byX = [...xs].sort((a, b) => a.x - b.x).map((p) => point.get(p.i)!);
    expect(byX).toEqual([...byX].sort((a, b) => a - b));
  });

  it('has one row per option of each choice, grouped under the choice names, estimator first', () => {
    const groups = [...svg.matchAll(/data-group="([^"]*)">([^<]*)</g)].map((m) => [m[1], m[2]]);
    expect(groups).toEqual([['estimator', 'estimator'], ['delta', 'delta'], ['wMethod', 'W'], ['winsor', 'winsor'], ['pimBase', 'base stock']]);
    const rows = [...svg.matchAll(/data-row="([^"]*)" data-option="([^"]*)"/g)].map((m) => `${m[1]}=${unescape(m[2])}`);
    expect(new Set(rows)).toEqual(new Set(['estimator=SDM', 'estimator=FE', 'estimator=IV', 'delta=0.09', 'delta=0.096', 'wMethod=inverse-distance', 'wMethod=knn', 'wMethod=geo-economic',
      'winsor=0.01\u20130.99', 'winsor=0.05\u20130.95', 'pimBase=zhang', 'pimBase=hall-jones']));
    // grouped: the rows of a choice are consecutive, in the order of the groups
    const order = rows.map((r) => groups.findIndex(([g]) => r.startsWith(`${g}=`)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(rows.slice(3, 5)).toEqual(['delta=0.09', 'delta=0.096']); // numbers in numeric order
    expect(new Set(rows).size).toBe(12);
  });

  it('fits every text into the viewBox by its estimated width: the title and long row labels are not cut', () => {
    const long = specCurveSvg(
      [{ label: 'a', est: 0.1, lo: 0, hi: 0.2, estimator: 'a very long estimator name', choices: { spatialWeightsMatrixMethod: 'inverse-distance-with-a-cutoff-of-200-km' } },
        { label: 'b', est: -0.05, lo: -0.1, hi: 0, estimator: 'FE', choices: { spatialWeightsMatrixMethod: 'knn' } }],
      { title: 'A title that is much longer than two specification columns could ever be', yLabel: 'y' },
    );
    for (const s of [svg, long]) {
      const [W] = viewBox(s);
      const texts = textExtents(s);
      expect(texts.length).toBeGreaterThan(10);
      for (const t of texts) {
        expect(t.lo, t.text).toBeGreaterThanOrEqual(0);
        expect(t.hi, t.text).toBeLessThanOrEqual(W);
      }
    }
  });
});

describe('the report DAG of workflows/multiverse.json', () => {
  let plan: Plan;
  let prov: Provenance;
  beforeAll(async () => {
    await ensureBuilt(); // openWorkflow reads dist/nodes/manifest.json
    plan = (await openWorkflow(join(REPO, 'workflows/multiverse.json'), { cache: mkdtempSync(join(tmpdir(), 'flow-dag-')) })).plan;
    prov = provenanceOf(plan, plan.nodes.get('report')!, () => 'k', () => ({}));
  }, 120_000);

  it('collapses the matrix copies into one box per declared node, marked x24, x8, ...', () => {
    const nodes = dagNodes(prov.nodes, { id: 'report', type: 'report', from: ['spec_ris', 'spec_ais'] });
    expect(nodes.length).toBe(144); // 143 ancestors (copies included) and the report
    const svg = dagSvg(nodes, (id) => `#node-${id}`);
    const boxes = [...svg.matchAll(/<g data-node="([^"]*)" data-type="[^"]*"(?: data-count="(\d+)")?>/g)].map((m) => [m[1], Number(m[2] ?? 1)] as const);
    const counts = Object.fromEntries(boxes);
    expect(boxes.length).toBe(30);
    expect(counts).toEqual({
      raw: 1, ict: 1, gdp_pc_panel: 1, alloc: 1, gdp_pc_sample: 1, newinfra: 1, gdp_pc_mean: 1, real: 1, units: 1, units_est: 1,
      stock: 4, stockTotal: 4, w: 3, structure: 4, tfp: 4, lq: 4, vars: 4, sample: 4, intel: 4, panel: 8, est: 8,
      fe_ris: 8, fe_ais: 8, iv_ris: 8, iv_ais: 8, sdm_ris: 24, sdm_ais: 24, spec_ris: 1, spec_ais: 1, report: 1,
    });
    expect(boxes.reduce((s, [, n]) => s + n, 0)).toBe(nodes.length);
    expect(svg.match(/x24</g)).toHaveLength(2);
    expect(svg.match(/x8</g)).toHaveLength(6);
    // every box is a link, and no edge points at a copy
    expect(svg.match(/<a href="#node-/g)).toHaveLength(30);
    expect(svg).not.toContain('[delta=');
  });

  it('fits the column (940 px) and every box its text; the first box starts at the top', () => {
    const nodes = dagNodes(prov.nodes, { id: 'report', type: 'report', from: ['spec_ris', 'spec_ais'] });
    const svg = dagSvg(nodes);
    const [W] = viewBox(svg);
    expect(W).toBeLessThanOrEqual(940);
    const tops = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...tops)).toBeLessThan(20);
    for (const m of svg.matchAll(/<g data-node="([^"]*)" data-type="([^"]*)"(?: data-count="(\d+)")?>.*?<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)) {
      const w = Number(m[5]);
      expect(w, m[1]).toBeGreaterThanOrEqual(boxWidth({ id: m[1], type: m[2], count: Number(m[3] ?? 1) }) - 0.1);
      expect(Number(m[4]) + w, m[1]).toBeLessThanOrEqual(W);
    }
    for (const t of textExtents(svg, 11)) { expect(t.lo, t.text).toBeGreaterThanOrEqual(0); expect(t.hi, t.text).toBeLessThanOrEqual(W); }
  });

  it('a --set run: the provenance holds the overrides (so they are in the key), the title and params say which were set', async () => {
    const paper = (await openWorkflow(join(REPO, 'workflows/paper.json'), { cache: mkdtempSync(join(tmpdir(), 'flow-dag-')), set: ['delta=0.096'] })).plan;
    const base = (await openWorkflow(join(REPO, 'workflows/paper.json'), { cache: mkdtempSync(join(tmpdir(), 'flow-dag-')) })).plan;
    const p = provenanceOf(paper, paper.nodes.get('report')!, () => 'k', () => ({}));
    const p0 = provenanceOf(base, base.nodes.get('report')!, () => 'k', () => ({}));
    expect(p.sets).toEqual({ delta: 0.096 });
    expect(p.params).toMatchObject({ delta: 0.096, branch: 'baseline' });
    expect(p0.sets).toEqual({});
    expect(provenanceHash(p)).not.toBe(provenanceHash(p0)); // the same ancestor keys: the overrides alone change the key
    const params = reportParams.parse(paper.nodes.get('report')!.params);
    const html: string = ((await reportNode.run(ctx(params, { parts: [] }, 'report', { provenance: p, resolvePath: () => REPO }))) as any).report.files['paper.html'];
    expect(html).toContain('<h1>New infrastructure and industrial structure: 26 YRD cities, 2006-2020 (baseline, with --set delta=0.096)</h1>');
    expect(html).not.toContain('(baseline)<');
    expect(html).toContain('run with <code>--set delta=0.096</code>');
    expect(html).toMatch(/<tr class="set"><td><code>delta<\/code><\/td><td><code>0.096<\/code> <b>\(--set\)<\/b>/);
    // versions and commit: in the provenance, so in the key (this checkout is a git worktree)
    expect(p.about).toMatchObject({ flow: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version, commit: expect.stringMatching(/^[0-9a-f]{40}$/), dirty: expect.any(Boolean) });
    expect(html).toMatch(new RegExp(`Made with flow \\d+\\.\\d+\\.\\d+ on Node v\\d+[.\\d]*; git commit <code>${p.about!.commit!.slice(0, 12)}</code> of \\d{4}-`));
    expect(provenanceHash({ ...p, about: { ...p.about!, commit: '0'.repeat(40) } })).not.toBe(provenanceHash(p));
    const plain: string = ((await reportNode.run(ctx(reportParams.parse(base.nodes.get('report')!.params), { parts: [] }, 'report', { provenance: p0, resolvePath: () => REPO }))) as any).report.files['paper.html'];
    expect(plain).toContain('2006-2020 (baseline)</h1>');
  });
});
