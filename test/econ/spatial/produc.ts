// Produc (48 US states, 1970-1986) stacked by year in usaww's state order, and the
// usaww weights: the data behind reference/produc_sar.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixture = (f: string) => fileURLToPath(new URL(`../../fixtures/${f}`, import.meta.url));

export const producRef = JSON.parse(readFileSync(fixture('produc_sar.json'), 'utf8'));
export const X_NAMES = ['lpcap', 'lpc', 'lemp', 'unemp'] as const;

export function loadUsaww(): { ids: string[]; n: number; w: Float64Array } {
  const ids = readFileSync(fixture('usaww_order.txt'), 'utf8').trim().split(/\r?\n/);
  const rows = readFileSync(fixture('usaww.csv'), 'utf8').trim().split(/\r?\n/);
  const n = ids.length;
  const w = new Float64Array(n * n);
  rows.forEach((r, i) => r.split(',').forEach((v, j) => { w[i * n + j] = Number(v); }));
  return { ids, n, w };
}

export function loadProduc(): { n: number; T: number; y: Float64Array; X: Float64Array[] } {
  const { ids, n } = loadUsaww();
  const lines = readFileSync(fixture('produc.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  const years = [...new Set(lines.map((l) => Number(l[1])))].sort((a, b) => a - b);
  const T = years.length;
  const y = new Float64Array(n * T);
  const X = X_NAMES.map(() => new Float64Array(n * T));
  for (const l of lines) {
    const r = years.indexOf(Number(l[1])) * n + ids.indexOf(JSON.parse(l[0]));
    y[r] = Math.log(Number(l[8]));
    X[0][r] = Math.log(Number(l[3]));
    X[1][r] = Math.log(Number(l[7]));
    X[2][r] = Math.log(Number(l[9]));
    X[3][r] = Number(l[10]);
  }
  return { n, T, y, X };
}

export const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
