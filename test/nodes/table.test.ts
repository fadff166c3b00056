import { describe, it, expect } from 'vitest';
import { tableNode, tableParams } from '../../src/nodes/table.js';
import { starsFor } from '../../src/report/format.js';
import { feA, feB, boundary, iv, sdm, grunfeld } from '../report/fixtures.js';
import { parseMarkdownTable, parseCoefCell } from '../report/markdown-roundtrip.js';
import type { Report } from '../../src/ports/index.js';
import { table as aqTable } from 'arquero';

const run = (models: unknown[], params: Record<string, unknown> = {}, nodeId = 'table2'): Report =>
  (tableNode.run({ params: tableParams.parse(params), inputs: { models }, nodeId, resolvePath: (p: string) => p } as any) as any).report;

const labels = { value: 'Firm value', capital: 'Capital stock', firm: 'firm', year: 'year' };

/** the model coefficient a printed row stands for */
function modelRow(m: any, label: string, lab: Record<string, string>) {
  const inv = Object.fromEntries(Object.entries(lab).map(([k, v]) => [v, k]));
  const term = label === 'constant' ? '_cons' : label.startsWith('W x ') ? `W*${inv[label.slice(4)] ?? label.slice(4)}` : inv[label] ?? label;
  return m.coefficients.find((c: any) => c.term === term);
}

describe('table: the numbers printed are the models\' numbers', () => {
  const models = [feA, feB, boundary, iv, sdm];
  const rep = run(models, { labels });
  const md = rep.files['table2.md'];
  const { header, rows } = parseMarkdownTable(md);

  it('writes md, tex, html and csv named after the node id', () => {
    expect(Object.keys(rep.files).sort()).toEqual(['table2.csv', 'table2.html', 'table2.md', 'table2.tex']);
    expect(header).toEqual(['', 'inv (1)', 'Capital stock (2)', 'RIS (3)', 'RIS (4)', 'RIS (5)']);
  });

  it('parses every coefficient cell back to the model estimate and SE at the printed precision, stars from p', () => {
    let checked = 0;
    let panel: string | null = null;
    for (const r of rows) {
      const label = r[0];
      const heading = /^\*(\w+) effects\*$/.exec(label);
      if (heading) { panel = heading[1].toLowerCase(); continue; }
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
    const cell = (label: string) => rows.find((r) => r[0] === label)![3];
    expect(cell('p10')).toBe('0.500 (0.100)');
    expect(cell('p05')).toBe('0.250* (0.100)');
    expect(cell('p01')).toBe('0.125** (0.100)');
    expect(cell('below10')).toBe('1.000* (0.100)');
    expect(cell('below05')).toBe('-0.0003** (0.0004)');
    expect(cell('below01')).toBe('-2.346*** (0.500)');
    expect(cell('neg')).toBe('-0.0004 (0.0002)');
  });

  it('prints FE rows, R2, F, N, the KP statistics with Stock-Yogo in braces, rho, log-lik and the effects panel', () => {
    const get = (label: string) => rows.find((r) => r[0] === label)?.slice(1);
    expect(get('Firm FE')).toEqual(['Yes', 'Yes', 'No', 'No', 'No']);
    expect(get('Year FE')).toEqual(['Yes', 'No', 'Yes', 'Yes', 'Yes']);
    expect(get('City FE')).toEqual(['No', 'No', 'Yes', 'Yes', 'Yes']);
    expect(get('N')).toEqual(['200', '200', '390', '390', '390']);
    expect(get('R2')![0]).toBe((feA.stats as any).r2_within.toFixed(3));
    expect(get('R2')![4]).toBe('0.414');
    expect(get('F')![2]).toBe('14.891');
    expect(get('KP rk Wald F {Stock-Yogo 10%}')).toEqual(['', '', '', '64.240 {16.38}', '']);
    expect(get('KP rk LM [p]')![3]).toBe('57.828 [0.000]');
    expect(get('rho')![4]).toBe('0.132* (0.074)');
    expect(get('Log-lik')![4]).toBe('1037.246');
    expect(get('W x lnINF')![4]).toBe('0.014** (0.006)');
    const direct = rows.findIndex((r) => r[0] === '*Direct effects*');
    expect(rows[direct + 1]).toEqual(['lnINF', '', '', '', '', '0.013*** (0.003)']);
    expect(rows.filter((r) => r[0] === '*Total effects*')).toHaveLength(1);
  });

  it('puts the constant last and keeps / orders terms on request', () => {
    const coefLabels = rows.map((r) => r[0]);
    expect(coefLabels.indexOf('constant')).toBeGreaterThan(coefLabels.indexOf('W x lnTrainfra'));
    const kept = parseMarkdownTable(run([feA, sdm], { keep: ['lnINF', 'capital'], order: ['capital'] }).files['table2.md']).rows.map((r) => r[0]);
    expect(kept.slice(0, 3)).toEqual(['capital', 'lnINF', 'W x lnINF']);
    expect(kept).not.toContain('value');
  });

  it('LaTeX: booktabs, threeparttable notes, proper minus signs, escaped labels, SE row below', () => {
    const tex = run([boundary], { labels: { p10: 'ln_x & 10%' }, title: 'Baseline: two-way FE', notes: 'Data: 26 cities.' }).files['table2.tex'];
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\midrule');
    expect(tex).toContain('\\bottomrule');
    expect(tex).toContain('ln\\_x \\& 10\\% & 0.500 \\\\');
    expect(tex).toContain('$-$2.346$^{***}$');
    expect(tex).toContain(' & ($-$0.0004)'.replace('($-$0.0004)', '(0.0002)'));
    expect(tex).toContain('\\item Data: 26 cities.');
    expect(tex).toContain('\\caption{Baseline: two-way FE}');
    expect(tex).not.toMatch(/[^$]-\d/);
  });

  it('HTML uses the minus sign and escapes; CSV quotes fields with commas', () => {
    const r = run([boundary, iv], { labels: { p10: '<b>' } });
    expect(r.files['table2.html']).toContain('\u22122.346<sup>***</sup>');
    expect(r.files['table2.html']).toContain('&lt;b&gt;');
    expect(r.files['table2.csv'].split('\r\n')[0]).toBe(',RIS (1),RIS (2)');
    const csv = run([iv], { labels: { lnINF: 'ln INF, real' } }).files['table2.csv'];
    expect(csv).toContain('"ln INF, real",0.067***');
  });

  it('renders a describe table as a plain table (Table 1)', () => {
    const t = aqTable({ var: ['RIS', 'lnINF'], N: [390, 390], mean: [0.9012, 14.33], sd: [0.059, 1.062], min: [0.751, 11.422], max: [0.992, 16.41] });
    const r = run([t], { name: 'table1', format: 'md', title: 'Descriptive statistics' });
    const p = parseMarkdownTable(r.files['table1.md']);
    expect(p.header).toEqual(['variable', 'N', 'mean', 'sd', 'min', 'max']);
    expect(p.rows[0]).toEqual(['RIS', '390', '0.901', '0.059', '0.751', '0.992']);
    expect(Object.keys(r.files)).toEqual(['table1.md']);
  });

  it('refuses mixing models and a data table', () => {
    expect(() => run([feA, grunfeld])).toThrow(/either models or one data table/);
  });
});
