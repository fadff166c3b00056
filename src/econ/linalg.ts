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

// ---- additions for FE / IV / covariance (additive; see src/econ/fe.ts, vcov.ts) ----

/**
 * Rank check on a cross-product matrix by an ordered sweep (Stata's _rmcoll logic):
 * a column is kept when its variance left after projecting on the kept columns before
 * it exceeds tol x its own sum of squares. Returns kept and dropped indices; a column
 * whose own sum of squares is ~0 relative to `scale` is reported as `zero`.
 */
export function rankCheck(
  A: Float64Array, k: number, tol = 1e-9, scale?: Float64Array,
): { kept: number[]; collinear: number[]; zero: number[] } {
  const kept: number[] = [], collinear: number[] = [], zero: number[] = [];
  for (let j = 0; j < k; j++) {
    const d = A[j * k + j];
    const ref = scale ? scale[j] : d;
    if (!(d > 1e-10 * ref) || !(d > 0)) { zero.push(j); continue; }
    const trial = [...kept, j];
    const m = trial.length;
    const sub = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = A[trial[a] * k + trial[b]];
    const L = cholesky(sub, m);
    // last pivot^2 = residual sum of squares of column j on the kept ones
    const piv = L ? L[(m - 1) * m + (m - 1)] ** 2 : 0;
    if (L && piv > tol * d) kept.push(j);
    else collinear.push(j);
  }
  return { kept, collinear, zero };
}

/** Symmetric eigen-decomposition by cyclic Jacobi (small k): values desc, vectors as columns (row-major k x k). */
export function symEigen(A: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += a[p * k + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p], arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r], aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p], vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => a[y * k + y] - a[x * k + x]);
  const values = new Float64Array(k), vectors = new Float64Array(k * k);
  order.forEach((src, dst) => {
    values[dst] = a[src * k + src];
    for (let r = 0; r < k; r++) vectors[r * k + dst] = v[r * k + src];
  });
  return { values, vectors };
}

/**
 * A^p of a symmetric positive semi-definite matrix through its eigenvalues; eigenvalues
 * below tol x the largest are treated as zero (a Moore-Penrose power for p < 0).
 */
export function symPower(A: Float64Array, k: number, p: number, tol = 1e-12): Float64Array {
  const { values, vectors } = symEigen(A, k);
  const top = Math.max(Math.abs(values[0] ?? 0), 0);
  const out = new Float64Array(k * k);
  for (let e = 0; e < k; e++) {
    const lam = values[e];
    if (!(lam > tol * top)) continue;
    const f = Math.pow(lam, p);
    for (let i = 0; i < k; i++) {
      const vi = vectors[i * k + e] * f;
      if (vi === 0) continue;
      for (let j = 0; j < k; j++) out[i * k + j] += vi * vectors[j * k + e];
    }
  }
  return out;
}

/** Inverse of a general square matrix by Gauss-Jordan with partial pivoting; null if singular. */
export function invertGeneral(A: Float64Array, k: number): Float64Array | null {
  const a = Float64Array.from(A);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]) > Math.abs(a[piv * k + c])) piv = r;
    if (!(Math.abs(a[piv * k + c]) > 1e-300)) return null;
    if (piv !== c) {
      for (let j = 0; j < k; j++) {
        [a[c * k + j], a[piv * k + j]] = [a[piv * k + j], a[c * k + j]];
        [inv[c * k + j], inv[piv * k + j]] = [inv[piv * k + j], inv[c * k + j]];
      }
    }
    const d = a[c * k + c];
    for (let j = 0; j < k; j++) { a[c * k + j] /= d; inv[c * k + j] /= d; }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r * k + c];
      if (f === 0) continue;
      for (let j = 0; j < k; j++) { a[r * k + j] -= f * a[c * k + j]; inv[r * k + j] -= f * inv[c * k + j]; }
    }
  }
  return inv;
}

/** Transpose of a row-major r x c matrix. */
export function transpose(A: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = A[i * c + j];
  return out;
}

/** Inverse of a symmetric positive definite matrix, or null when it is not. */
export function spdInverse(A: Float64Array, k: number): Float64Array | null {
  const L = cholesky(A, k);
  return L ? choleskyInverse(L, k) : null;
}

/** Quadratic form b' M^{-1} b for symmetric positive definite M; NaN when singular. */
export function quadInv(M: Float64Array, k: number, b: ArrayLike<number>): number {
  const L = cholesky(M, k);
  if (!L) return NaN;
  const x = choleskySolve(L, k, b);
  let s = 0;
  for (let i = 0; i < k; i++) s += b[i] * x[i];
  return s;
}

/**
 * X'X of a column list in one sweep over row blocks (cache-friendly for long columns:
 * each block of all columns stays in cache while its k(k+1)/2 products are formed).
 * Same result as crossprod up to summation order.
 */
export function crossprodBlocked(X: Columns, block = 2048): Float64Array {
  const k = X.length;
  const out = new Float64Array(k * k);
  const n = X[0]?.length ?? 0;
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    for (let a = 0; a < k; a++) {
      const xa = X[a];
      let b = a;
      // two products per sweep share the loads of xa (each still sums in row order: same result)
      for (; b + 1 < k; b += 2) {
        const xb = X[b], xc = X[b + 1];
        let acc = 0, acc2 = 0;
        for (let i = s; i < e; i++) { const v = xa[i]; acc += v * xb[i]; acc2 += v * xc[i]; }
        out[a * k + b] += acc;
        out[a * k + b + 1] += acc2;
      }
      if (b < k) {
        const xb = X[b];
        let acc = 0;
        for (let i = s; i < e; i++) acc += xa[i] * xb[i];
        out[a * k + b] += acc;
      }
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) out[a * k + b] = out[b * k + a];
  return out;
}
