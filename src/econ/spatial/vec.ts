// Small vector helpers shared by the spatial estimators and tests.

/** y - Z b */
export function residual(y: Float64Array, Z: Float64Array[], b: Float64Array): Float64Array {
  const e = Float64Array.from(y);
  for (let k = 0; k < Z.length; k++) { const z = Z[k], bk = b[k]; for (let i = 0; i < e.length; i++) e[i] -= z[i] * bk; }
  return e;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function corr(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { const x = a[i] - ma, y = b[i] - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return sab / Math.sqrt(saa * sbb);
}
