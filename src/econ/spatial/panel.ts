// Panel layout for the spatial estimators: a balanced panel stacked by period, row
// t * n + i for unit i (in W's order) and period t, so that the spatial lag of a
// period is one product with W.
import { csrMatVec, type Csr } from './sparse.js';

/** 'none': pooled, a constant only (partialled out as the grand mean, not reported). */
export type SpatialFe = 'none' | 'individual' | 'time' | 'twoways';

/** (I_T kron W) v */
export function spatialLag(w: Csr, v: Float64Array, T: number): Float64Array {
  const n = w.n;
  const out = new Float64Array(n * T);
  for (let t = 0; t < T; t++) csrMatVec(w, v, out, t * n, t * n);
  return out;
}

/** (I_T kron B) v for a dense row-major n x n B. */
export function denseLag(b: Float64Array, n: number, v: Float64Array, T: number): Float64Array {
  const out = new Float64Array(n * T);
  for (let t = 0; t < T; t++) {
    const off = t * n;
    for (let i = 0; i < n; i++) {
      const row = b.subarray(i * n, i * n + n);
      let s = 0;
      for (let j = 0; j < n; j++) s += row[j] * v[off + j];
      out[off + i] = s;
    }
  }
  return out;
}

/** Unit means (length n) and period means (length T) and the grand mean. */
export function panelMeans(v: Float64Array, n: number, T: number) {
  const unit = new Float64Array(n);
  const period = new Float64Array(T);
  let grand = 0;
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = 0; i < n; i++) { const x = v[t * n + i]; unit[i] += x; s += x; }
    period[t] = s / n;
    grand += s;
  }
  for (let i = 0; i < n; i++) unit[i] /= T;
  return { unit, period, grand: grand / (n * T) };
}

/** The within transformation for the chosen fixed effects (a new array). */
export function demean(v: Float64Array, n: number, T: number, fe: SpatialFe): Float64Array {
  const { unit, period, grand } = panelMeans(v, n, T);
  const out = new Float64Array(n * T);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < n; i++) {
      const k = t * n + i;
      out[k] =
        fe === 'none' ? v[k] - grand :
        fe === 'individual' ? v[k] - unit[i] :
        fe === 'time' ? v[k] - period[t] :
        v[k] - unit[i] - period[t] + grand;
    }
  }
  return out;
}

/** (I_T kron W') v, by scattering W's rows: W' needs no transposed copy. */
export function spatialLagTransposed(w: Csr, v: Float64Array, T: number): Float64Array {
  const { n, rowPtr, col, val } = w;
  const out = new Float64Array(n * T);
  for (let t = 0; t < T; t++) {
    const off = t * n;
    for (let i = 0; i < n; i++) {
      const x = v[off + i];
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) out[off + col[p]] += val[p] * x;
    }
  }
  return out;
}

/** The fixed effects' part of a stacked vector (its unit / period / grand means), r - demean(r). */
export function feComponent(r: Float64Array, n: number, T: number, fe: SpatialFe): Float64Array {
  const m = panelMeans(r, n, T);
  const out = new Float64Array(n * T);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < n; i++) {
      out[t * n + i] = fe === 'none' ? m.grand : fe === 'individual' ? m.unit[i] : fe === 'time' ? m.period[t] : m.unit[i] + m.period[t] - m.grand;
    }
  }
  return out;
}
