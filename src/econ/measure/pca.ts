// Principal components of standardised indicators (METHOD 1.8), as R's
// prcomp(X, scale. = TRUE): eigen-decomposition of the correlation matrix.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface PcaResult {
  n: number;
  center: number[];
  /** sd with n - 1 */
  scale: number[];
  /** eigenvalues of the correlation matrix, descending (= sdev^2) */
  eigenvalues: number[];
  sdev: number[];
  varianceExplained: number[];
  /** rotation[v][c]: loading of indicator v on component c */
  rotation: number[][];
  /** scores[c]: component c for each row */
  scores: Float64Array[];
}

/**
 * PCA of complete columns X[v] (length n each, no NaN). Sign rule: each component is
 * flipped so that the first indicator's loading is positive (eigenvector signs are
 * otherwise arbitrary, so the index would flip between platforms).
 */
export function pca(X: Float64Array[]): PcaResult {
  const p = X.length;
  const n = X[0]?.length ?? 0;
  const center: number[] = [];
  const scale: number[] = [];
  const Z = X.map((x) => {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i];
    m /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i] - m) ** 2;
    const s = Math.sqrt(ss / (n - 1));
    center.push(m);
    scale.push(s);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = (x[i] - m) / s;
    return z;
  });
  const R = Matrix.zeros(p, p);
  for (let a = 0; a < p; a++)
    for (let b = a; b < p; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Z[a][i] * Z[b][i];
      R.set(a, b, s / (n - 1));
      R.set(b, a, s / (n - 1));
    }
  const evd = new EigenvalueDecomposition(R, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const eigenvalues = order.map((i) => Math.max(values[i], 0));
  const total = eigenvalues.reduce((s, v) => s + v, 0);
  const rotation: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  order.forEach((col, c) => {
    const sign = vectors.get(0, col) < 0 ? -1 : 1;
    for (let v = 0; v < p; v++) rotation[v][c] = sign * vectors.get(v, col);
  });
  const scores = order.map((_, c) => {
    const s = new Float64Array(n);
    for (let v = 0; v < p; v++) {
      const w = rotation[v][c];
      const z = Z[v];
      for (let i = 0; i < n; i++) s[i] += w * z[i];
    }
    return s;
  });
  return {
    n,
    center,
    scale,
    eigenvalues,
    sdev: eigenvalues.map(Math.sqrt),
    varianceExplained: eigenvalues.map((v) => v / total),
    rotation,
    scores,
  };
}
