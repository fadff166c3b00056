// Is W similar to a symmetric matrix through a positive diagonal? W = D^-1 C with C
// symmetric (row-standardised inverse distance, contiguity, economic, and geo-economic,
// whose C is W_d diag(g) with s_i = r_i g_i) satisfies s_i w_ij = s_j w_ji for some
// s > 0. Then M = S^1/2 W S^-1/2 is symmetric with the eigenvalues of W, and the
// fast symmetric routine applies. A kNN W fails the test: its eigenvalues are complex.

export interface SymmetricScaling {
  s: Float64Array;
  /** S^1/2 W S^-1/2, symmetrised, row-major (a fresh array) */
  m: Float64Array;
}

export function symmetricScaling(w: Float64Array, n: number, relTol = 1e-10): SymmetricScaling | null {
  const s = new Float64Array(n);
  const queue: number[] = [];
  // propagate s along the edges of each connected component (s = 1 at its first unit)
  for (let root = 0; root < n; root++) {
    if (s[root] !== 0) continue;
    s[root] = 1;
    queue.length = 0;
    queue.push(root);
    for (let h = 0; h < queue.length; h++) {
      const i = queue[h];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const wij = w[i * n + j];
        if (wij === 0) continue;
        const wji = w[j * n + i];
        if (wji === 0 || wij / wji <= 0) return null;
        const sj = (s[i] * wij) / wji;
        if (s[j] === 0) { s[j] = sj; queue.push(j); }
      }
    }
  }
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const si = Math.sqrt(s[i]);
    for (let j = 0; j <= i; j++) {
      const a = s[i] * w[i * n + j];
      const b = s[j] * w[j * n + i];
      if (Math.abs(a - b) > relTol * Math.max(Math.abs(a), Math.abs(b))) return null;
      const sj = Math.sqrt(s[j]);
      const v = 0.5 * ((si / sj) * w[i * n + j] + (sj / si) * w[j * n + i]);
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
  return { s, m };
}
