// workflows/paper.json end to end, through the compiled CLI (node bin/flow.js) as a user
// runs it: every table and the report land in its "out" folder (out/paper); a warm run runs
// nothing and rewrites no file there; --set
// delta=0.096 re-runs exactly the PIM chain and what depends on it; each robustness
// branch re-uses every node it shares with paper.json; Table 2 prints the models'
// numbers; the multiverse shares every node that does not depend on a varied param.
//
// The workflows and data/yrd26 are copied into a throwaway project, so that edits to the
// repo's data while the suite runs (the generator) cannot make a warm run miss.
import { describe, it, expect, beforeAll } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, flow, jsonLines } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';
import { parseMarkdownTable, parseCoefCell } from '../report/markdown-roundtrip.js';

interface Summary { ran: string[]; hit: string[]; failed: string[]; skipped: string[] }
interface GraphNode { id: string; type: string; base: string; branch: Record<string, unknown>; params: unknown }
interface Graph { nodes: GraphNode[]; edges: { from: string; to: string }[] }

let dir = '';
let cold: Summary;
const cacheOf = (name: string) => join(dir, 'caches', name);

function run(wf: string, cache: string, extra: string[] = []): Summary {
  const r = flow(['run', `workflows/${wf}`, '--json', '--cache', cache, ...extra], dir);
  if (r.code !== 0) throw new Error(`flow run ${wf} ${extra.join(' ')} exited ${r.code}\n${r.stderr}\n${r.stdout.slice(-2000)}`);
  return jsonLines(r.stdout).at(-1).summary as Summary;
}

const graphs = new Map<string, Graph>();
function graph(wf: string, sets: string[] = []): Graph {
  const k = JSON.stringify([wf, sets]);
  if (!graphs.has(k)) graphs.set(k, graph_(wf, sets));
  return graphs.get(k)!;
}
function graph_(wf: string, sets: string[]): Graph {
  const r = flow(['graph', `workflows/${wf}`, '--format', 'json', ...sets.flatMap((s) => ['--set', s])], dir);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/**
 * Nodes of `g` that must be cache hits after a run of `base`: same id, type and params
 * there, and every upstream node such a node too. The rest must run.
 */
function shared(g: Graph, base: Graph): { same: string[]; changed: string[] } {
  const b = new Map(base.nodes.map((n) => [n.id, n]));
  const ups = new Map<string, string[]>(g.nodes.map((n) => [n.id, []]));
  for (const e of g.edges) ups.get(e.to)!.push(e.from);
  const same = new Map<string, boolean>();
  const isSame = (id: string): boolean => {
    if (same.has(id)) return same.get(id)!;
    const n = g.nodes.find((x) => x.id === id)!, o = b.get(id);
    const v = !!o && o.type === n.type && JSON.stringify(o.params) === JSON.stringify(n.params) && ups.get(id)!.every(isSame);
    same.set(id, v);
    return v;
  };
  const ids = g.nodes.map((n) => n.id);
  return { same: ids.filter(isSame).sort(), changed: ids.filter((id) => !isSame(id)).sort() };
}

const TABLES = ['table1', 'table2', 'table3', 'table4', 'table5', 'table7'];

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'flow-paper-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  cpSync(join(REPO, 'data/yrd26'), join(dir, 'data/yrd26'), { recursive: true });
  for (const f of readdirSync(join(REPO, 'workflows')).filter((f) => f.endsWith('.json')))
    cpSync(join(REPO, 'workflows', f), join(dir, 'workflows', f));
  // the cold run every test builds on; its cache is copied before anything else runs in it
  cold = run('paper.json', cacheOf('paper')); // writes to the workflow's "out": ../out/paper
  if (cold.failed.length || cold.skipped.length) throw new Error(`paper.json: failed ${cold.failed}, skipped ${cold.skipped}`);
  cpSync(cacheOf('paper'), cacheOf('after-paper'), { recursive: true });
}, 180_000);

describe('workflows/paper.json', () => {
  it('runs every node cold and writes every table and the report to its "out" folder', () => {
    const g = graph('paper.json');
    expect([...cold.ran].sort()).toEqual(g.nodes.map((n) => n.id).sort());
    expect(cold.hit).toEqual([]);
    for (const t of TABLES) {
      for (const ext of ['md', 'tex', 'html', 'csv']) expect(existsSync(join(dir, 'out/paper', t, `${t}.${ext}`)), `${t}.${ext}`).toBe(true);
      expect(readFileSync(join(dir, 'out/paper', t, `${t}.md`), 'utf8')).toMatch(/^\*\*Table \d/);
    }
    const html = readFileSync(join(dir, 'out/paper/report/paper.html'), 'utf8');
    for (const t of ['Table 1', 'Table 2', 'Table 3', 'Table 4', 'Table 5', 'Table 7']) expect(html).toContain(t);
  });

  it('runs nothing on a second run, and rewrites no output file', () => {
    const out = join(dir, 'out/paper');
    const stamp = () => Object.fromEntries(readdirSync(out, { recursive: true }).map(String).sort().map((f) => [f, statSync(join(out, f)).mtimeMs]));
    const before = stamp();
    const s = run('paper.json', cacheOf('paper'));
    expect(stamp()).toEqual(before);
    expect(s.ran).toEqual([]);
    expect(s.failed).toEqual([]);
    expect(s.hit.length).toBe(graph('paper.json').nodes.length);
  });

  it('--set delta=0.096 re-runs exactly the PIM chain and what depends on it', () => {
    const cache = cacheOf('delta');
    cpSync(cacheOf('after-paper'), cache, { recursive: true });
    const g = graph('paper.json'), g2 = graph('paper.json', ['delta=0.096']);
    const { same, changed } = shared(g2, g);
    // from the graph: the nodes whose params name $delta (the two PIMs) and their descendants
    const down = new Set(['stock', 'stockTotal']);
    for (const id of g.nodes.map((n) => n.id)) // topological order
      if (g.edges.some((e) => e.to === id && down.has(e.from))) down.add(id);
    expect(changed).toEqual([...down].sort());
    for (const n of ['raw', 'ict', 'alloc', 'newinfra', 'real', 'units', 'units_est', 'w']) expect(same).toContain(n);
    const s = run('paper.json', cache, ['--set', 'delta=0.096', '--no-out']); // out/paper keeps the baseline
    expect(s.ran.sort()).toEqual(changed);
    expect(s.hit.sort()).toEqual(same);
    // and back: the delta = 0.09 results are still in the cache
    expect(run('paper.json', cache, ['--no-out']).ran).toEqual([]);
  });

  it('prints the models\' numbers in Table 2, with stars from the p-values', () => {
    const md = readFileSync(join(dir, 'out/paper/table2/table2.md'), 'utf8');
    const { header, rows } = parseMarkdownTable(md);
    expect(header.slice(1)).toEqual(['RIS (1)', 'AIS (2)']);
    const models = ['fe_ris', 'fe_ais'].map((n) => JSON.parse(readFileSync(join(dir, `out/paper/${n}.model.json`), 'utf8')));
    const label = (term: string) => (term === '_cons' ? 'constant' : term);
    const close = (printed: number, decimals: number, x: number) => expect(Math.abs(printed - x)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
    const stars = (p: number) => [0.1, 0.05, 0.01].filter((t) => p < t).length;
    models.forEach((m, j) => {
      const terms = m.coefficients as { term: string; estimate: number; std_error: number; p_value: number }[];
      expect(terms.map((c) => c.term)).toEqual(['lnINF', 'lnTrainfra', 'lnHumcapital', 'lnSConsume', 'Govexp', 'lnFD', '_cons']);
      for (const c of terms) {
        const row = rows.find((r) => r[0] === label(c.term));
        expect(row, c.term).toBeDefined();
        const cell = parseCoefCell(row![j + 1])!;
        expect(cell, `${c.term}: ${row![j + 1]}`).not.toBeNull();
        close(cell.est, cell.decimals, c.estimate);
        close(cell.se!, cell.seDecimals, c.std_error);
        expect(cell.stars.length, `${c.term} p = ${c.p_value}`).toBe(stars(c.p_value));
      }
      const stat = (l: string) => rows.find((r) => r[0] === l)![j + 1];
      expect(Number(stat('N'))).toBe(m.stats.nobs);
      expect(m.stats.nobs).toBe(390);
      close(Number(stat('R2')), 3, m.stats.r2_within);
      close(Number(stat('F')), 3, m.stats.f);
      expect(stat('City FE')).toBe('Yes');
      expect(stat('Year FE')).toBe('Yes');
      expect(m.stats.vcov).toBe('cluster(city)');
    });
  });

  it('prints KP statistics with the Stock-Yogo value, the SDM effects panel and N = 390 in Table 3', () => {
    const { rows } = parseMarkdownTable(readFileSync(join(dir, 'out/paper/table3/table3.md'), 'utf8'));
    const labels = rows.map((r) => r[0]);
    for (const l of ['rho', 'W x lnINF', '*Direct effects*', '*Indirect effects*', '*Total effects*', 'Log-lik']) expect(labels).toContain(l);
    expect(rows.find((r) => r[0] === 'KP rk Wald F {Stock-Yogo 10%}')!.slice(1, 3).every((c) => /\{16\.38\}$/.test(c))).toBe(true);
    expect(rows.find((r) => r[0] === 'N')!.slice(1)).toEqual(['390', '390', '390', '390']);
    const n7 = parseMarkdownTable(readFileSync(join(dir, 'out/paper/table7/table7.md'), 'utf8')).rows.find((r) => r[0] === 'N')!;
    expect(n7.slice(1)).toEqual(['165', '165', '120', '120', '105', '105']);
  });
});

const BRANCHES = ['robust-delta.json', 'robust-base-hall-jones.json', 'robust-w-knn.json', 'robust-w-geo-economic.json', 'robust-winsor-5.json', 'robust-no-shanghai.json'];

describe('robustness branches after paper.json', () => {
  const base = () => graph('paper.json');
  for (const wf of BRANCHES) {
    it(`${wf} re-uses every node it shares with paper.json`, () => {
      const g = graph(wf);
      const { same, changed } = shared(g, base());
      expect(same).toContain('raw');
      expect(changed).toContain('report');
      const cache = cacheOf(wf);
      cpSync(cacheOf('after-paper'), cache, { recursive: true });
      const s = run(wf, cache, ['--no-out']);
      expect(s.failed).toEqual([]);
      expect(s.hit.sort()).toEqual(same);
      expect(s.ran.sort()).toEqual(changed);
    });
  }

  it('robust-w-knn.json re-runs only W, the SDMs, Table 3 and the report', () => {
    expect(shared(graph('robust-w-knn.json'), base()).changed).toEqual(['report', 'sdm_ais', 'sdm_ris', 'table3', 'w']);
  });

  it('robust-no-shanghai.json estimates on 25 cities, W included', () => {
    const cache = cacheOf('robust-no-shanghai.json');
    const out = join(dir, 'out/robust-no-shanghai'); // its "out"
    run('robust-no-shanghai.json', cache);
    const sdm = JSON.parse(readFileSync(join(out, 'sdm_ris.model.json'), 'utf8'));
    expect(sdm.stats.nobs).toBe(375);
    expect(readFileSync(join(out, 'w.matrix.csv'), 'utf8')).not.toContain('Shanghai');
  });
});

describe('workflows/data.json (the data-building part alone)', () => {
  it('shares every data node with paper.json', () => {
    const { same, changed } = shared(graph('data.json'), graph('paper.json'));
    expect(changed).toEqual(['table1']); // there a describe node (levels, as the paper prints Table 1)
    const cache = cacheOf('data');
    cpSync(cacheOf('after-paper'), cache, { recursive: true });
    const s = run('data.json', cache, ['--no-out']);
    expect(s.hit.sort()).toEqual(same);
    expect(s.ran).toEqual(['table1']);
  });
});

describe('workflows/multiverse.json', () => {
  it('copies a node once per combination of the matrix params it depends on, and shares the rest', () => {
    const g = graph('multiverse.json');
    const count = (base: string) => g.nodes.filter((n) => n.base === base).length;
    const ids = g.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    // 2 delta x 3 W x 2 winsor x 2 base stocks = 24 branches
    for (const [base, n] of Object.entries({
      raw: 1, real: 1, units: 1, stock: 4, panel: 8, fe_ris: 8, iv_ais: 8, w: 3, sdm_ris: 24, sdm_ais: 24, spec_ris: 1, spec_ais: 1, report: 1,
    })) expect(count(base), base).toBe(n);
    const spec = g.edges.filter((e) => e.to === 'spec_ris').map((e) => e.from);
    expect(spec.length).toBe(8 + 8 + 24);
  });

  it('after paper.json, computes each distinct node once and re-uses the paper\'s branch', () => {
    const cache = cacheOf('multiverse');
    cpSync(cacheOf('after-paper'), cache, { recursive: true });
    const g = graph('multiverse.json');
    const out = join(dir, 'out/multiverse'); // its "out"
    const s = run('multiverse.json', cache);
    expect(s.failed).toEqual([]);
    expect(new Set(s.ran).size).toBe(s.ran.length);
    expect(s.ran.length + s.hit.length).toBe(g.nodes.length);
    // the paper's own branch: delta 0.09, inverse distance, 1/99, Zhang
    for (const id of ['raw', 'w[wMethod=inverse-distance]', 'stock[delta=0.09,pimBase=zhang]', 'fe_ris[delta=0.09,winsor=[0.01,0.99],pimBase=zhang]',
      'sdm_ais[delta=0.09,wMethod=inverse-distance,winsor=[0.01,0.99],pimBase=zhang]']) expect(s.hit).toContain(id);
    expect(run('multiverse.json', cache, ['--no-out']).ran).toEqual([]);
    // the specification curve: one row per branch and estimator, each label distinct
    const { rows } = parseMarkdownTable(readFileSync(join(out, 'spec_ris/spec_ris.md'), 'utf8'));
    expect(rows.length).toBe(8 + 8 + 24);
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
    expect(rows.filter((r) => r[0].startsWith('sdm_ris: ')).length).toBe(24);
    expect(existsSync(join(out, 'spec_ris/spec_ris.svg'))).toBe(true);
    expect(existsSync(join(out, 'report/multiverse.html'))).toBe(true);
  });
});
