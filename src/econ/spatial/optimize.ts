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

/**
 * Newton on an exact score g (a root of g is the maximiser found by Brent at x), its
 * derivative by central differences of g. Brent stops where the likelihood is flat to
 * double precision (~1e-8 relative in x); the score still resolves the root. Falls back
 * to x when a step leaves (a, b) or strays more than 1e-4 of the interval from x.
 */
export function newtonPolish(g: (x: number) => number, x: number, a: number, b: number): number {
  let r = x;
  const h = 1e-5 * (b - a);
  for (let it = 0; it < 8; it++) {
    const gr = g(r);
    const d = (g(r + h) - g(r - h)) / (2 * h);
    if (!(d < 0)) return x;
    const next = r - gr / d;
    if (!(next > a && next < b) || Math.abs(next - x) > 1e-4 * (b - a)) return x;
    if (Math.abs(next - r) <= 1e-14 * Math.max(1, Math.abs(r))) return next;
    r = next;
  }
  return r;
}

/**
 * Newton in two dimensions on an exact gradient g (Jacobian by central differences),
 * from a point found by nested Brent; returns the start when a step fails to stay near it.
 */
export function newtonPolish2(
  g: (x: [number, number]) => [number, number], x: [number, number], a: number, b: number,
): [number, number] {
  let r: [number, number] = [x[0], x[1]];
  const h = 1e-5 * (b - a);
  for (let it = 0; it < 10; it++) {
    const g0 = g(r);
    const gx1 = g([r[0] + h, r[1]]), gx0 = g([r[0] - h, r[1]]);
    const gy1 = g([r[0], r[1] + h]), gy0 = g([r[0], r[1] - h]);
    const h11 = (gx1[0] - gx0[0]) / (2 * h), h21 = (gx1[1] - gx0[1]) / (2 * h);
    const h12 = (gy1[0] - gy0[0]) / (2 * h), h22 = (gy1[1] - gy0[1]) / (2 * h);
    const s12 = (h12 + h21) / 2;
    const det = h11 * h22 - s12 * s12;
    if (!(h11 < 0 && det > 0)) return x;
    const d0 = (h22 * g0[0] - s12 * g0[1]) / det, d1 = (h11 * g0[1] - s12 * g0[0]) / det;
    const next: [number, number] = [r[0] - d0, r[1] - d1];
    if (next.some((v, k) => !(v > a && v < b) || Math.abs(v - x[k]) > 1e-3 * (b - a))) return x;
    const done = Math.abs(d0) <= 1e-14 * Math.max(1, Math.abs(r[0])) && Math.abs(d1) <= 1e-14 * Math.max(1, Math.abs(r[1]));
    r = next;
    if (done) break;
  }
  return r;
}
