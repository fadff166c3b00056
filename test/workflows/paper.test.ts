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
import { spawnSync } from 'node:child_process';
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

const TABLES = ['table1', 'table2', 'table3', 'table4', 'table5', 'table6', 'table7'];

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
      for (const ext of ['md', 'tex', 'html', 'csv', 'docx']) expect(existsSync(join(dir, 'out/paper', t, `${t}.${ext}`)), `${t}.${ext}`).toBe(true);
      // numbered as the paper numbers them, titled with the branch
      expect(readFileSync(join(dir, 'out/paper', t, `${t}.md`), 'utf8')).toMatch(new RegExp(`^\\*\\*Table ${t.slice(5)}: .* \\(baseline\\)\\*\\*`));
      expect(readFileSync(join(dir, 'out/paper', t, `${t}.docx`)).subarray(0, 2).toString()).toBe('PK');
    }
    const html = readFileSync(join(dir, 'out/paper/report/paper.html'), 'utf8');
    for (const t of ['Table 1', 'Table 2', 'Table 3', 'Table 4', 'Table 5', 'Table 6', 'Table 7']) expect(html).toContain(t);
  });

  it('writes the spatial-diagnostics table in every format, and the report has it before Table 3', () => {
    for (const ext of ['md', 'tex', 'html', 'csv', 'docx']) expect(existsSync(join(dir, 'out/paper/table_spatial', `table_spatial.${ext}`)), ext).toBe(true);
    const { header, rows } = parseMarkdownTable(readFileSync(join(dir, 'out/paper/table_spatial/table_spatial.md'), 'utf8'));
    expect(header).toEqual(['test', 'outcome', 'statistic', 'z', 'df', 'p-value']);
    // Moran's I per year (15) and of the residuals, for RIS and AIS; 4 LM, 4 LR/Wald and 1 Hausman each
    expect(rows).toHaveLength(2 * (15 + 1 + 4 + 4 + 1));
    expect(rows.filter((r) => /^Moran's I \d{4}$/.test(r[0])).length).toBe(30);
    expect(rows.filter((r) => r[0].startsWith('Wald SDM vs SEM')).map((r) => r[4])).toEqual(['6', '6']);
    expect(rows.find((r) => r[0].startsWith('Hausman'))![4]).toBe('6');
    const html = readFileSync(join(dir, 'out/paper/report/paper.html'), 'utf8');
    const at = html.indexOf('Spatial diagnostics');
    expect(at).toBeGreaterThan(html.indexOf('Table 2:'));
    expect(at).toBeLessThan(html.indexOf('Table 3:'));
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
    expect(header.slice(1)).toEqual(['(1)', '(2)']);
    expect(rows[0]).toEqual(['Dependent variable', 'RIS', 'AIS']);
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
      expect(Number(stat('Observations'))).toBe(m.stats.nobs);
      expect(m.stats.nobs).toBe(390);
      close(Number(stat('Within R2')), 3, m.stats.r2_within);
      close(Number(stat('Within Adj. R2')), 3, m.stats.r2_within_adj);
      close(Number(stat('R2')), 3, m.stats.r2);
      const [F, p] = /^(\S+) \[(\S+)\]$/.exec(stat('Wald F (6, 25) [p]'))!.slice(1).map(Number);
      close(F, 3, m.stats.f);
      close(p, 3, m.stats.f_p);
      expect([m.stats.f_df1, m.stats.f_df2]).toEqual([6, 25]);
      expect(stat('S.E. clustered by')).toBe('city (26)');
      expect(stat('City FE')).toBe('Yes');
      expect(stat('Year FE')).toBe('Yes');
      expect(m.stats.vcov).toBe('cluster(city)');
    });
    expect(md).toContain('Standard errors in parentheses: clustered by city (26 clusters), t(25) p-values.');
  });

  it('Table 3: the IV first stage and weak-IV statistics (first-stage F = KP rk F), the SDM effects, the log-likelihood marked as Lee-Yu\'s', () => {
    const md = readFileSync(join(dir, 'out/paper/table3/table3.md'), 'utf8');
    const { rows } = parseMarkdownTable(md);
    const get = (l: string) => rows.find((r) => r[0] === l)!.slice(1);
    const labels = rows.map((r) => r[0]);
    for (const l of ['rho', 'W x lnINF', '*Direct effects*', '*Indirect effects*', '*Total effects*', '*First stage (dependent variable: lnINF)*', 'slope x year', 'Partial R2', 'Cragg-Donald F', 'Anderson-Rubin 95% set']) expect(labels).toContain(l);
    const iv = JSON.parse(readFileSync(join(dir, 'out/paper/iv_ris.model.json'), 'utf8'));
    const fsF = iv.first_stage[0].f.F;
    expect(Math.abs(iv.stats.kp_f - fsF)).toBeLessThan(1e-10 * fsF);
    expect(get('First-stage F (1, 25) [p]')[0]).toBe(`${fsF.toFixed(3)} [0.000]`);
    expect(get('KP rk Wald F {Stock-Yogo 10%}')[0]).toBe(`${iv.stats.kp_f.toFixed(3)} {16.38}`);
    expect(get('Observations')).toEqual(['390', '390', '390', '390']);
    expect(get('Log-likelihood').slice(2).every((c) => /^\d+\.\d{3}\u2020$/.test(c))).toBe(true);
    expect(md).toContain("\u2020 Lee-Yu (2010) transformed log-likelihood of the two-way FE model, on N' = (n - 1)(T - 1) = 350 observations (not N = 390)");
    const n7 = parseMarkdownTable(readFileSync(join(dir, 'out/paper/table7/table7.md'), 'utf8')).rows.find((r) => r[0] === 'Observations')!;
    expect(n7.slice(1)).toEqual(['165', '165', '120', '120', '105', '105']);
  });

  it('Table 7: the clusters of each class in the notes, the equality tests on their own rows, the Wald F of 6 slopes on 7 clusters not reported', () => {
    const md = readFileSync(join(dir, 'out/paper/table7/table7.md'), 'utf8');
    const { rows } = parseMarkdownTable(md);
    expect(md).toContain('(1)-(2) clustered by city (11 clusters), t(10) p-values; (3)-(4) clustered by city (8 clusters), t(7) p-values; (5)-(6) clustered by city (7 clusters), t(6) p-values');
    for (const y of ['RIS', 'AIS']) expect(rows.find((r) => r[0] === `Equal lnINF across size class (${y})`)![1]).toMatch(/^F\(2, 25\) = \d+\.\d{3}, p = \d\.\d{3}$/);
    const f = rows.find((r) => r[0] === 'Wald F (df) [p]')!.slice(1);
    expect(f.slice(4)).toEqual(['\u2020', '\u2020']);
    expect(md).toContain('\u2020 Wald F not reported: 6 slopes from 7 clusters');
  });

  it('Table 6: the cities of the estimation sample by size class (11 / 8 / 7)', () => {
    const { header, rows } = parseMarkdownTable(readFileSync(join(dir, 'out/paper/table6/table6.md'), 'utf8'));
    expect(header).toEqual(['size class', 'n', 'cities']);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([['large', '11'], ['medium', '8'], ['small', '7']]);
    expect(rows[0][2].split(', ')).toContain('Taizhou (Zhejiang)');
    expect(rows.reduce((s, r) => s + r[2].split(', ').length, 0)).toBe(26);
  });

  it('Table 1 notes the winsorising of the branch: --set winsor=false says so', () => {
    expect(readFileSync(join(dir, 'out/paper/table1/table1.md'), 'utf8')).toContain('Winsorised at the 1st and 99th percentiles.');
    const cache = cacheOf('no-winsor');
    cpSync(cacheOf('after-paper'), cache, { recursive: true });
    run('paper.json', cache, ['--set', 'winsor=false', '--only', 'table1', '--out', 'out/no-winsor']);
    const md = readFileSync(join(dir, 'out/no-winsor/table1/table1.md'), 'utf8');
    expect(md).toContain('Not winsorised.');
    expect(md).not.toContain('Winsorised at');
  });
});

describe('LaTeX: every .tex the paper produces compiles with texlive-latex-recommended and fits the page', () => {
  it('pdflatex compiles each table in a plain article: no error, no overfull box, no float too large', () => {
    const which = spawnSync('pdflatex', ['--version'], { encoding: 'utf8' });
    if (which.error || which.status !== 0) {
      throw new Error('pdflatex not found: install TeX to run this test (Debian: apt-get install --no-install-recommends texlive-latex-recommended; about 70 s, 90 MB). CI installs it in .ci/run.');
    }
    const tex = mkdtempSync(join(tmpdir(), 'flow-tex-'));
    for (const t of TABLES) {
      const src = readFileSync(join(dir, 'out/paper', t, `${t}.tex`), 'utf8');
      const pkgs = /requires \\usepackage\{([^}]+)\}/.exec(src)![1];
      writeFileSync(join(tex, `${t}.tex`), src);
      writeFileSync(join(tex, `doc-${t}.tex`), `\\documentclass{article}\n\\usepackage{${pkgs}}\n\\begin{document}\n\\input{${t}.tex}\n\\end{document}\n`);
      const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `doc-${t}.tex`], { cwd: tex, encoding: 'utf8' });
      const log = readFileSync(join(tex, `doc-${t}.log`), 'utf8');
      expect(r.status, `${t}: ${log.split('\n').filter((l) => l.startsWith('!')).join('; ')}`).toBe(0);
      expect(log.match(/Overfull \\hbox.*|Float too large.*/g) ?? [], t).toEqual([]);
      expect(existsSync(join(tex, `doc-${t}.pdf`))).toBe(true);
      // numbered once: the table's own number
      expect(readFileSync(join(tex, `doc-${t}.aux`), 'utf8')).toContain(`\\newlabel{tab:${t}}{{${t.slice(5)}}`);
    }
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

  it('robust-w-knn.json re-runs only W, the SDMs, the spatial diagnostics, the tables (titled with the branch) and the report', () => {
    // the spatial diagnostics use W too (the Hausman test does not)
    const diagnostics = ['moran_ris', 'moran_ais', 'lm_ris', 'lm_ais', 'lrwald_ris', 'lrwald_ais', 'diagnostics', 'table_spatial'];
    expect(shared(graph('robust-w-knn.json'), base()).changed).toEqual(['report', 'sdm_ais', 'sdm_ris', ...TABLES, ...diagnostics, 'w'].sort());
  });

  it('robust-no-shanghai.json estimates on 25 cities, W included', () => {
    const cache = cacheOf('robust-no-shanghai.json');
    const out = join(dir, 'out/robust-no-shanghai'); // its "out"
    run('robust-no-shanghai.json', cache);
    const sdm = JSON.parse(readFileSync(join(out, 'sdm_ris.model.json'), 'utf8'));
    expect(sdm.stats.nobs).toBe(375);
    expect(readFileSync(join(out, 'w.matrix.csv'), 'utf8')).not.toContain('Shanghai');
    // its tables say so: titles, cluster counts, the cities by class
    const t7 = readFileSync(join(out, 'table7/table7.md'), 'utf8');
    expect(t7).toMatch(/^\*\*Table 7: .* \(without Shanghai\)\*\*/);
    expect(t7).toContain('(1)-(2) clustered by city (10 clusters)');
    expect(parseMarkdownTable(readFileSync(join(out, 'table6/table6.md'), 'utf8')).rows[0][1]).toBe('10');
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

describe('workflows/montecarlo.json', () => {
  it('copies the data pipeline and the models once per synthetic seed (40) and gathers them into one monte-carlo node', () => {
    const g = graph('montecarlo.json');
    const count = (base: string) => g.nodes.filter((n) => n.base === base).length;
    for (const [base, n] of Object.entries({ raw: 40, panel: 40, fe_ris: 40, iv_ais: 40, sdm_ris: 40, w: 40, mc: 1, mc_table: 1 })) expect(count(base), base).toBe(n);
    expect(g.edges.filter((e) => e.to === 'mc').length).toBe(6 * 40 + 40);
    expect(g.nodes.find((n) => n.id === 'raw[dataSeed=7]')!.type).toBe('synth-yrd26');
    // the spatial diagnostics are paper.json's alone
    expect(g.nodes.filter((n) => ['moran', 'spatial-lm', 'spatial-lr-wald', 'hausman'].includes(n.type) || n.base === 'table_spatial')).toEqual([]);
  });

  it('runs end to end on one seed (--set dataSeed=3): every target row, the truth from that data set', () => {
    const s = run('montecarlo.json', cacheOf('mc'), ['--set', 'dataSeed=3', '--out', 'out/mc-one']);
    expect(s.failed).toEqual([]);
    const { header, rows } = parseMarkdownTable(readFileSync(join(dir, 'out/mc-one/mc_table/mc_table.md'), 'utf8'));
    expect(header.slice(0, 4)).toEqual(['target', 'draws', 'truth', 'mean']);
    expect(rows).toHaveLength(14);
    expect(rows[0].slice(0, 3)).toEqual(['FE RIS: lnINF', '1', '0.0433']);
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
