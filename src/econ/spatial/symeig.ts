// Eigenvalues only of a dense symmetric matrix: Householder reduction to tridiagonal
// form, then implicit QL with Wilkinson-type shifts. ml-matrix always accumulates
// eigenvectors (7 s at N = 1000); without them this is ~(4/3) N^3 flops (STACK.md).

/**
 * Eigenvalues (ascending) of the symmetric n x n matrix `a` (row-major). Only the
 * lower triangle is read; `a` is overwritten.
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples i and i+1 in the tridiagonal
  tridiagonalize(a, n, d, e);
  tridiagonalQL(d, e, n);
  return d.sort();
}

// Householder: for column k, reflect rows k+1..n-1 so that column k below the
// subdiagonal vanishes. The trailing block is updated as A - v w' - w v', working on
// the lower triangle only (half the flops; rows stay contiguous).
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    d[k] = a[k * n + k];
    const m = k + 1;
    let scale = 0;
    for (let i = m; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + k]));
    if (scale === 0) { e[k] = 0; continue; }
    let sigma = 0;
    for (let i = m; i < n; i++) { v[i] = a[i * n + k] / scale; sigma += v[i] * v[i]; }
    const x0 = v[m];
    const alpha = x0 >= 0 ? -Math.sqrt(sigma) : Math.sqrt(sigma);
    e[k] = alpha * scale;
    v[m] = x0 - alpha;
    const vnorm2 = sigma - x0 * x0 + v[m] * v[m];
    if (vnorm2 === 0) continue;
    const beta = 2 / vnorm2;
    // p = beta * A22 v from the lower triangle only (each a_ij serves rows i and j)
    for (let i = m; i < n; i++) p[i] = 0;
    for (let i = m; i < n; i++) {
      const row = a.subarray(i * n, i * n + i + 1);
      const vi = v[i];
      let s = 0;
      for (let j = m; j < i; j++) { const aij = row[j]; s += aij * v[j]; p[j] += aij * vi; }
      p[i] += s + row[i] * vi;
    }
    let pv = 0;
    for (let i = m; i < n; i++) { p[i] *= beta; pv += p[i] * v[i]; }
    const c = (beta * pv) / 2;
    for (let i = m; i < n; i++) p[i] -= c * v[i]; // w
    for (let i = m; i < n; i++) {
      const row = a.subarray(i * n, i * n + i + 1);
      const vi = v[i], wi = p[i];
      for (let j = m; j <= i; j++) row[j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) { d[n - 2] = a[(n - 2) * n + n - 2]; e[n - 2] = a[(n - 1) * n + n - 2]; }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1];
  e[n - 1] = 0;
}

// Implicit QL on the tridiagonal (d, e): chase a bulge from the bottom of each
// unreduced block up to its top with Givens rotations, shifting by the eigenvalue of
// the leading 2 x 2 closer to d[l].
function tridiagonalQL(d: Float64Array, e: Float64Array, n: number): void {
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= eps * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error('symmetric eigenvalues: QL did not converge');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1, c = 1, p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) { d[i + 1] -= p; e[m] = 0; underflow = true; break; }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
