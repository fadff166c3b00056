// Small dense linear algebra over Float64Array. A design matrix is a list of
// columns (each a Float64Array of length n): that is how FE demeaning produces it,
// and X'X over columns is a tight loop (STACK.md: ~6x faster than ml-matrix mmul).
// Square k x k matrices are row-major Float64Array of length k*k.

export type Columns = Float64Array[];

/** X'X (k x k, row-major) of a column list. */
export function crossprod(X: Columns): Float64Array {
  const k = X.length;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    const xa = X[a];
    for (let b = a; b < k; b++) {
      const xb = X[b];
      let s = 0;
      for (let i = 0; i < xa.length; i++) s += xa[i] * xb[i];
      out[a * k + b] = s;
      out[b * k + a] = s;
    }
  }
  return out;
}

/** X'y (length k) of a column list and a vector. */
export function crossprodVec(X: Columns, y: Float64Array): Float64Array {
  const out = new Float64Array(X.length);
  for (let a = 0; a < X.length; a++) {
    const xa = X[a];
    let s = 0;
    for (let i = 0; i < xa.length; i++) s += xa[i] * y[i];
    out[a] = s;
  }
  return out;
}

/** X b (length n) of a column list and a coefficient vector. */
export function matVec(X: Columns, b: ArrayLike<number>, n = X[0]?.length ?? 0): Float64Array {
  const out = new Float64Array(n);
  for (let a = 0; a < X.length; a++) {
    const xa = X[a];
    const ba = b[a];
    for (let i = 0; i < n; i++) out[i] += xa[i] * ba;
  }
  return out;
}

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive definite k x k matrix.
 * Returns null when the matrix is not numerically positive definite.
 */
export function cholesky(A: Float64Array, k: number): Float64Array | null {
  const L = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j];
    for (let p = 0; p < j; p++) d -= L[j * k + p] * L[j * k + p];
    if (!(d > 1e-300)) return null;
    const ljj = Math.sqrt(d);
    L[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * k + j];
      for (let p = 0; p < j; p++) s -= L[i * k + p] * L[j * k + p];
      L[i * k + j] = s / ljj;
    }
  }
  return L;
}

/** Solve (L L') x = b given the Cholesky factor L. */
export function choleskySolve(L: Float64Array, k: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b as ArrayLike<number>);
  for (let i = 0; i < k; i++) {
    let s = x[i];
    for (let p = 0; p < i; p++) s -= L[i * k + p] * x[p];
    x[i] = s / L[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = x[i];
    for (let p = i + 1; p < k; p++) s -= L[p * k + i] * x[p];
    x[i] = s / L[i * k + i];
  }
  return x;
}

/** Inverse of a symmetric positive definite matrix from its Cholesky factor. */
export function choleskyInverse(L: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  const e = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    e.fill(0);
    e[j] = 1;
    const col = choleskySolve(L, k, e);
    for (let i = 0; i < k; i++) inv[i * k + j] = col[i];
  }
  return inv;
}

/** A B for row-major square/rectangular matrices: A is r x m, B is m x c. */
export function matMul(A: Float64Array, B: Float64Array, r: number, m: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let p = 0; p < m; p++) {
      const a = A[i * m + p];
      if (a === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += a * B[p * c + j];
    }
  }
  return out;
}
