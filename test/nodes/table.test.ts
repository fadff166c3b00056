import { describe, it, expect, beforeAll } from 'vitest';
import { tableNode, tableParams } from '../../src/nodes/table.js';
import { starsFor } from '../../src/report/format.js';
import { feA, feB, boundary, iv, sdm, grunfeld } from '../report/fixtures.js';
import { parseMarkdownTable, parseCoefCell } from '../report/markdown-roundtrip.js';
import type { Report } from '../../src/ports/index.js';
import type { InputSource } from '../../src/graph/node.js';
import { table as aqTable } from 'arquero';

const run = async (models: unknown[], params: Record<string, unknown> = {}, nodeId = 'table2', sources?: InputSource[]): Promise<Report> =>
  ((await tableNode.run({ params: tableParams.parse({ format: ['md', 'tex', 'html', 'csv'], ...params }), inputs: { models }, nodeId, resolvePath: (p: string) => p, sources: sources ? { models: sources } : undefined } as any)) as any).report;

const labels = { value: 'Firm value', capital: 'Capital stock', firm: 'firm', year: 'year' };

/** the model coefficient a printed row stands for */
function modelRow(m: any, label: string, lab: Record<string, string>) {
  const inv = Object.fromEntries(Object.entries(lab).map(([k, v]) => [v, k]));
  const term = label === 'constant' ? '_cons' : label.startsWith('W x ') ? `W*${inv[label.slice(4)] ?? label.slice(4)}` : inv[label] ?? label;
  return m.coefficients.find((c: any) => c.term === term);
}

describe('table: the numbers printed are the models\' numbers', () => {
  const models = [feA, feB, boundary, iv, sdm];
  let rep: Report, header: string[], rows: string[][];
  const get = (label: string) => rows.find((r) => r[0] === label)?.slice(1);
  beforeAll(async () => {
    rep = await run(models, { labels });
    ({ header, rows } = parseMarkdownTable(rep.files['table2.md']));
  });

  it('writes md, tex, html and csv named after the node id; columns are numbered once, the dependent variables and estimators in header rows', () => {
    expect(Object.keys(rep.files).sort()).toEqual(['table2.csv', 'table2.html', 'table2.md', 'table2.tex']);
    expect(header).toEqual(['', '(1)', '(2)', '(3)', '(4)', '(5)']);
    expect(get('Dependent variable')).toEqual(['inv', 'Capital stock', 'RIS', 'RIS', 'RIS']);
    expect(get('Estimator')).toEqual(['FE', 'FE', 'FE', 'IV-2SLS', 'SDM (ML)']);
  });

  it('parses every coefficient cell back to the model estimate and SE at the printed precision, stars from p', () => {
    let checked = 0;
    let panel: string | null = null;
    const coefRows = rows.slice(rows.findIndex((r) => r[0] === 'Estimator') + 1);
    for (const r of coefRows) {
      const label = r[0];
      const heading = /^\*(\w+) effects\*$/.exec(label);
      if (heading) { panel = heading[1].toLowerCase(); continue; }
      if (/^\*First stage/.test(label)) break;
      if (!label || label === 'rho') continue;
      r.slice(1).forEach((cell, j) => {
        const c = parseCoefCell(cell);
        if (!c || c.se === null) return;
        const src: any = panel ? { coefficients: (models[j] as any).effects[panel] } : models[j];
        const m = modelRow(src, label, labels);
        expect(m, `${label} in column ${j + 1}`).toBeDefined();
        expect(Math.abs(c.est - m.estimate)).toBeLessThanOrEqual(0.5 * 10 ** -c.decimals + 1e-12);
        expect(Math.abs(c.se! - m.std_error)).toBeLessThanOrEqual(0.5 * 10 ** -c.seDecimals + 1e-12);
        expect(c.stars).toBe(starsFor(m.p_value));
        checked++;
      });
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('stars follow the p-values at the boundaries (p < threshold)', () => {
    const cell = (label: string) => get(label)![2];
    expect(cell('p10')).toBe('0.500 (0.100)');
    expect(cell('p05')).toBe('0.250* (0.100)');
    expect(cell('p01')).toBe('0.125** (0.100)');
    expect(cell('below10')).toBe('1.000* (0.100)');
    expect(cell('below05')).toBe('-0.0003** (0.0004)');
    expect(cell('below01')).toBe('-2.346*** (0.500)');
    expect(cell('neg')).toBe('-0.0004 (0.0002)');
  });

  it('labels the statistics as fixest\'s etable does: FE rows, S.E. with the cluster count, Observations, R2 and Within R2, the Wald F with df and p', () => {
    expect(get('Firm FE')).toEqual(['Yes', 'Yes', 'No', 'No', 'No']);
    expect(get('Year FE')).toEqual(['Yes', 'No', 'Yes', 'Yes', 'Yes']);
    expect(get('City FE')).toEqual(['No', 'No', 'Yes', 'Yes', 'Yes']);
    expect(get('Observations')).toEqual(['200', '200', '390', '390', '390']);
    const a = feA.stats as any, b = feB.stats as any;
    expect(get('Within R2')!.slice(0, 2)).toEqual([a.r2_within.toFixed(3), b.r2_within.toFixed(3)]);
    expect(get('R2')!.slice(0, 2)).toEqual([a.r2.toFixed(3), b.r2.toFixed(3)]);
    expect(get('R2')![4]).toBe('0.414');
    // feA and feB differ in df: each cell carries (df1, df2) [p]
    const f = get('Wald F (df) [p]')!;
    expect(f[0]).toBe(`${a.f.toFixed(3)} (${a.f_df1}, ${a.f_df2}) [${a.f_p.toFixed(3)}]`);
    expect(a.f_df2).toBe(9); // cluster-robust: G - 1
    // every column clusters: "S.E. clustered by | firm (10)"
    expect(get('S.E. clustered by')!.slice(0, 3)).toEqual([`firm (${a.n_clusters})`, `firm (${b.n_clusters})`, 'city']);
    expect(a.n_clusters).toBe(10);
  });

  it('prints the IV first stage and the weak-IV statistics, rho, the log-likelihood and the effects panel', () => {
    const fs = (iv as any).first_stage[0];
    const first = rows.findIndex((r) => r[0] === '*First stage (dependent variable: lnINF)*');
    expect(first).toBeGreaterThan(0);
    expect(rows[first + 1]).toEqual(['slope_year', '', '', '', '0.300*** (0.040)', '']);
    expect(get('Partial R2')![3]).toBe(fs.partial_r2.toFixed(3));
    expect(get('First-stage F (1, 25) [p]')![3]).toBe('64.240 [0.000]');
    expect(get('KP rk Wald F {Stock-Yogo 10%}')).toEqual(['', '', '', '64.240 {16.38}', '']);
    expect(get('Cragg-Donald F')![3]).toBe('80.100');
    expect(get('rho')![4]).toBe('0.132* (0.074)');
    expect(get('Log-likelihood')![4]).toBe('1037.246');
    expect(get('W x lnINF')![4]).toBe('0.014** (0.006)');
    const direct = rows.findIndex((r) => r[0] === '*Direct effects*');
    expect(rows[direct + 1]).toEqual(['lnINF', '', '', '', '', '0.013*** (0.003)']);
    expect(rows.filter((r) => r[0] === '*Total effects*')).toHaveLength(1);
  });

  it('generates its notes from the models: SE type per column group with cluster counts and reference df, what the IV and SDM columns are', () => {
    const md = rep.files['table2.md'];
    expect(md).toContain('Standard errors in parentheses: (1)-(2) clustered by firm (10 clusters), t(9) p-values; (3)-(5) clustered by city, normal p-values.');
    expect(md).toContain('IV-2SLS: lnINF instrumented by slope_year.');
    expect(md).toContain('SDM: ML with two-way FE');
  });

  it('puts the constant last, keeps / orders terms on request and names the terms it leaves out', async () => {
    const coefLabels = rows.map((r) => r[0]);
    expect(coefLabels.indexOf('constant')).toBeGreaterThan(coefLabels.indexOf('W x lnTrainfra'));
    const r = await run([feA, sdm], { keep: ['lnINF', 'capital'], order: ['capital'] });
    const kept = parseMarkdownTable(r.files['table2.md']).rows.map((x) => x[0]);
    expect(kept.slice(2, 5)).toEqual(['capital', 'lnINF', 'W x lnINF']);
    expect(kept).not.toContain('value');
    expect(r.files['table2.md']).toContain('Included but not shown: value, lnTrainfra; their W x terms (spatial models); a constant.');
  });

  it('titles the table with its branch, and labels the columns of matrix copies with their branch values', async () => {
    const sources = [0.09, 0.096].map((d) => ({ node: `fe[delta=${d}]`, port: 'model', branch: { delta: d } }));
    const r = await run([feA, feA], { title: 'Table 2: FE', branch: 'delta 9.6%' }, 't', sources);
    const p = parseMarkdownTable(r.files['t.md']);
    expect(r.files['t.md']).toMatch(/^\*\*Table 2: FE \(delta 9\.6%\)\*\*/);
    expect(p.header).toEqual(['', '(1)', '(2)']);
    expect(p.rows[0]).toEqual(['delta', '0.09', '0.096']);
  });

  it('leaves a statistic a model says does not apply blank, marked, with the reason in a note (the Wald F of too many slopes for the clusters)', async () => {
    const few = { ...feA, stats: { ...(feA.stats as object), f: { applicable: false, reason: '6 slopes from 7 clusters: no degrees of freedom' }, f_p: { applicable: false, reason: 'same' } } };
    const r = await run([feA, few], {}, 't');
    const f = parseMarkdownTable(r.files['t.md']).rows.find((x) => x[0] === 'Wald F (df) [p]')!;
    expect(f[2]).toBe('\u2020');
    expect(r.files['t.md']).toContain('\u2020 Wald F not reported: 6 slopes from 7 clusters: no degrees of freedom.');
    expect(r.files['t.tex']).toContain('\\textsuperscript{\\dag}');
  });

  it('names the S.E. type per column when the columns differ', async () => {
    const hc = { ...feA, stats: { ...(feA.stats as object), vcov: 'hc1', vcov_type: 'hetero', vcov_convention: 'hc1' } };
    const ml = { ...sdm, stats: { ...(sdm.stats as object), vcov: 'ML, analytical information matrix' } };
    const se = parseMarkdownTable((await run([feA, hc, ml], {}, 't')).files['t.md']).rows.find((x) => x[0] === 'S.E.')!;
    expect(se.slice(1)).toEqual(['clustered by firm (10)', 'robust (HC1)', 'ML']);
  });

  it('chooses the statistics rows with gof', async () => {
    const r = await run([feA], { gof: ['nobs', 'r2_within_adj', 'f_classical'] }, 't');
    const body = parseMarkdownTable(r.files['t.md']).rows.map((x) => x[0]);
    expect(body.slice(-3)).toEqual(['Observations', 'Within Adj. R2', `F, classical (2, ${(feA.stats as any).df_resid}) [p]`]);
    expect(body).not.toContain('City FE');
  });

  it('LaTeX: booktabs, numbered once (a "Table 2:" title sets \\thetable), no threeparttable, shrinks to the text width, SE row below', async () => {
    const tex = (await run([boundary], { labels: { p10: 'ln_x & 10%' }, title: 'Table 2: Baseline', notes: 'Data: 26 cities.' })).files['table2.tex'];
    expect(tex).toMatch(/^% flow table table2: requires \\usepackage\{booktabs,graphicx,tabularx\}/);
    for (const s of ['\\toprule', '\\midrule', '\\bottomrule', '\\renewcommand{\\thetable}{2}', '\\caption{Baseline}', '\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%'])
      expect(tex).toContain(s);
    expect(tex).not.toContain('threeparttable');
    expect(tex).not.toContain('Table 2:');
    expect(tex).toContain('ln\\_x \\& 10\\% & 0.500 \\\\');
    expect(tex).toContain('$-$2.346$^{***}$');
    expect(tex).toContain('Data: 26 cities.\\par');
    expect(tex).not.toMatch(/[^$]-\d/);
    expect(tex).not.toMatch(/[^\x00-\x7f]/); // ASCII only: compiles without inputenc
    const land = (await run([boundary], { latex: { landscape: true, long: true } })).files['table2.tex'];
    expect(land).toContain('\\begin{landscape}');
    expect(land).toContain('\\begin{longtable}{lc}');
    expect(land).toContain('\\endhead');
  });

  it('LaTeX: header rows merge equal neighbours with \\multicolumn and \\cmidrule', async () => {
    const tex = (await run([feA, feA, iv], {})).files['table2.tex'];
    expect(tex).toContain('Estimator & \\multicolumn{2}{c}{FE} & IV-2SLS \\\\');
    expect(tex).toContain('\\cmidrule(lr){2-3} \\cmidrule(lr){4-4}');
  });

  it('HTML uses the minus sign and escapes; CSV quotes fields with commas', async () => {
    const r = await run([boundary, iv], { labels: { p10: '<b>' } });
    expect(r.files['table2.html']).toContain('\u22122.346<sup>***</sup>');
    expect(r.files['table2.html']).toContain('&lt;b&gt;');
    expect(r.files['table2.csv'].split('\r\n')[0]).toBe(',(1),(2)');
    expect(r.files['table2.csv'].split('\r\n')[1]).toBe('Dependent variable,RIS,RIS');
    const csv = (await run([iv], { labels: { lnINF: 'ln INF, real' } })).files['table2.csv'];
    expect(csv).toContain('"ln INF, real",0.067***');
  });

  it('renders a describe table as a plain table (Table 1), with the winsorising note from the branch', async () => {
    const t = aqTable({ var: ['RIS', 'lnINF'], N: [390, 390], mean: [0.9012, 14.33], sd: [0.059, 1.062], min: [0.751, 11.422], max: [0.992, 16.41] });
    const r = await run([t], { name: 'table1', format: 'md', title: 'Descriptive statistics', winsor: [0.05, 0.95] });
    const p = parseMarkdownTable(r.files['table1.md']);
    expect(p.header).toEqual(['variable', 'N', 'mean', 'sd', 'min', 'max']);
    expect(p.rows[0]).toEqual(['RIS', '390', '0.901', '0.059', '0.751', '0.992']);
    expect(Object.keys(r.files)).toEqual(['table1.md']);
    expect(r.files['table1.md']).toContain('Winsorised at the 5th and 95th percentiles.');
    expect((await run([t], { name: 'x', format: 'md', winsor: [0.01, 0.99] })).files['x.md']).toContain('Winsorised at the 1st and 99th percentiles.');
    expect((await run([t], { name: 'x', format: 'md', winsor: false })).files['x.md']).toContain('Not winsorised.');
  });

  it('refuses mixing models and a data table', async () => {
    await expect(run([feA, grunfeld])).rejects.toThrow(/either models or one data table/);
  });
});
