// An independent, minimal re-implementation of METHOD section 1 on the raw files, used
// to check the generator's calibration and truth without the node chain, plus a plain
// balanced-panel two-way FE OLS / 2SLS for the Monte Carlo.
import { solveSmall } from '../../src/synth/yrd26.js';

export interface Csv { header: string[]; rows: string[][] }

export function parseCsv(text: string): Csv {
  const lines = text.trimEnd().split('\n');
  const split = (l: string) => {
    const out: string[] = [];
    let cur = '', q = false;
    for (let i = 0; i < l.length; i++) {
      const ch = l[i];
      if (q) { if (ch === '"' && l[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') q = false; else cur += ch; }
      else if (ch === '"') q = true; else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  return { header: split(lines[0]), rows: lines.slice(1).map(split) };
}

export interface Built {
  city: string[];
  year: number[];
  vars: Record<string, number[]>;
}

export const MODEL_VARS = ['RIS', 'AIS', 'lnINF', 'lnTrainfra', 'Humcapital', 'SConsume', 'Govexp', 'FD'] as const;

/** lnINF, RIS, AIS and the controls for 2006-2020, by METHOD 1.1-1.6 with the defaults. */
export function buildFromFiles(files: Record<string, string>, firstYear = 2006): Built {
  const c = parseCsv(files['city_year.csv']);
  const p = parseCsv(files['province_year.csv']);
  const ci = (name: string) => c.header.indexOf(name);
  const pi = (name: string) => p.header.indexOf(name);
  const num = (s: string) => (s === '' ? NaN : Number(s));
  const prov = new Map<string, string[]>();
  for (const r of p.rows) prov.set(`${r[0]}|${r[1]}`, r);
  // deflators per province, base 2003
  const defl = new Map<string, number>();
  for (const name of new Set(p.rows.map((r) => r[0]))) {
    const rows = p.rows.filter((r) => r[0] === name).sort((a, b) => Number(a[1]) - Number(b[1]));
    let d = 1;
    rows.forEach((r, k) => { if (k > 0) d *= num(r[pi('fai_price_index')]) / 100; defl.set(`${name}|${r[1]}`, d); });
  }
  const byCity = new Map<string, string[][]>();
  for (const r of c.rows) { const a = byCity.get(r[0]) ?? []; a.push(r); byCity.set(r[0], a); }
  const out: Built = { city: [], year: [], vars: Object.fromEntries(MODEL_VARS.map((v) => [v, []])) };
  const lpRows: { y: number[]; lp: number[]; emp: number[]; va: number[] }[] = [];
  const allLp: number[][] = [];
  for (const [city, rows] of byCity) {
    rows.sort((a, b) => Number(a[2]) - Number(b[2]));
    let K = NaN;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k], year = Number(r[2]), pr = prov.get(`${r[1]}|${r[2]}`)!;
      const ict = year <= 2011 ? num(r[ci('fai_computer_services')]) + num(r[ci('fai_software')]) : num(r[ci('fai_info_transmission_it')]);
      const elec = num(r[ci('fai_utilities')]) / num(pr[pi('fai_utilities')]) * num(pr[pi('fai_electricity_supply')]);
      const rail = num(r[ci('fai_transport')]) / num(pr[pi('fai_transport')]) * num(pr[pi('fai_railway')]);
      const I = (ict + elec + rail) / defl.get(`${r[1]}|${r[2]}`)!;
      const Kt = k === 0 ? I / 0.1 : K;
      K = Kt * 0.91 + I; // K_(t+1), the stock at the start of next year
      const va = ['va_primary', 'va_secondary', 'va_tertiary'].map((n) => num(r[ci(n)]));
      const emp = ['emp_primary', 'emp_secondary', 'emp_tertiary'].map((n) => num(r[ci(n)]));
      const Y = va[0] + va[1] + va[2], L = emp[0] + emp[1] + emp[2];
      // AIS: min-max over every raw year (the whole panel), as the workflow does
      allLp.push(va.map((x, j) => x / emp[j]));
      if (year < firstYear) continue;
      const pop = num(r[ci('pop')]);
      out.city.push(city); out.year.push(year);
      const v = out.vars;
      v.lnINF.push(Math.log(Kt * 1e4));
      v.RIS.push(1 - (Math.abs(va[0] / Y - emp[0] / L) + Math.abs(va[1] / Y - emp[1] / L) + Math.abs(va[2] / Y - emp[2] / L)) / 3);
      lpRows.push({ y: va.map((x) => x / Y), lp: va.map((x, j) => x / emp[j]), emp, va });
      v.lnTrainfra.push(Math.log(num(r[ci('road_area')]) / pop));
      v.Humcapital.push(num(r[ci('students')]) / pop);
      v.SConsume.push(num(r[ci('retail_sales')]) / Y);
      v.Govexp.push(num(r[ci('fiscal_exp')]) / Y);
      v.FD.push(num(r[ci('deposits')]) / Y);
    }
  }
  const lo = [0, 1, 2].map((j) => Math.min(...allLp.map((q) => q[j])));
  const hi = [0, 1, 2].map((j) => Math.max(...allLp.map((q) => q[j])));
  for (const q of lpRows) out.vars.AIS.push(q.y.reduce((s, y, j) => s + y * (q.lp[j] - lo[j]) / (hi[j] - lo[j]), 0));
  return out;
}

export function moments(x: number[]) {
  const n = x.length, mean = x.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, min: Math.min(...x), max: Math.max(...x) };
}

/** Two-way within transformation of a balanced panel. */
export function within2(x: number[], city: string[], year: number[]): number[] {
  const mc = new Map<string, [number, number]>(), my = new Map<number, [number, number]>();
  let g = 0;
  x.forEach((v, r) => {
    const a = mc.get(city[r]) ?? [0, 0]; a[0] += v; a[1]++; mc.set(city[r], a);
    const b = my.get(year[r]) ?? [0, 0]; b[0] += v; b[1]++; my.set(year[r], b);
    g += v;
  });
  g /= x.length;
  return x.map((v, r) => v - mc.get(city[r])![0] / mc.get(city[r])![1] - my.get(year[r])![0] / my.get(year[r])![1] + g);
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

export function ols(y: number[], X: number[][]): number[] {
  return solveSmall(X.map((a) => X.map((b) => dot(a, b))), X.map((a) => dot(a, y)));
}

/** 2SLS of y on [endog, ...exog] with instruments [z, ...exog]; returns the coefficients and the first-stage F of z. */
export function tsls(y: number[], endog: number[], exog: number[][], z: number[]): { beta: number[]; firstF: number } {
  const Z = [z, ...exog];
  const g = ols(endog, Z);
  const xhat = endog.map((_, r) => Z.reduce((s, col, j) => s + g[j] * col[r], 0));
  const beta = ols(y, [xhat, ...exog]);
  // first-stage F (iid) for the excluded instrument
  const res = endog.map((v, r) => v - xhat[r]);
  const g0 = exog.length ? ols(endog, exog) : [];
  const res0 = endog.map((v, r) => v - exog.reduce((s, col, j) => s + g0[j] * col[r], 0));
  const n = y.length, k = Z.length + 52; // + absorbed FE (26 + 15 - 1) and a margin; order of magnitude only
  const rss = dot(res, res), rss0 = dot(res0, res0);
  return { beta, firstF: (rss0 - rss) / (rss / (n - k)) };
}
