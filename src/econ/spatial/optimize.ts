// Brent's (1973) one-dimensional minimiser: golden section with parabolic steps, on a
// closed interval, to an absolute tolerance in x (R's optimize() is the same method;
// there the relative part is sqrt(eps), here it is a parameter).
export function brentMinimize(
  f: (x: number) => number, lo: number, hi: number, tol = 1e-12, relTol = 1e-12, maxIter = 500,
): { x: number; fx: number; evaluations: number } {
  const golden = (3 - Math.sqrt(5)) / 2;
  let a = lo, b = hi;
  let x = a + golden * (b - a);
  let w = x, v = x;
  let fx = f(x), fw = fx, fv = fx;
  let d = 0, e = 0, evals = 1;
  for (let iter = 0; iter < maxIter; iter++) {
    const mid = (a + b) / 2;
    const tol1 = relTol * Math.abs(x) + tol / 3;
    const tol2 = 2 * tol1;
    if (Math.abs(x - mid) <= tol2 - (b - a) / 2) break;
    let parabolic = false;
    if (Math.abs(e) > tol1) {
      let r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p; else q = -q;
      r = e;
      e = d;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < mid ? tol1 : -tol1;
        parabolic = true;
      }
    }
    if (!parabolic) {
      e = (x < mid ? b : a) - x;
      d = golden * e;
    }
    const u = x + (Math.abs(d) >= tol1 ? d : d > 0 ? tol1 : -tol1);
    const fu = f(u);
    evals++;
    if (fu <= fx) {
      if (u < x) b = x; else a = x;
      v = w; fv = fw; w = x; fw = fx; x = u; fx = fu;
    } else {
      if (u < x) a = u; else b = u;
      if (fu <= fw || w === x) { v = w; fv = fw; w = u; fw = fu; }
      else if (fu <= fv || v === x || v === w) { v = u; fv = fu; }
    }
  }
  return { x, fx, evaluations: evals };
}
