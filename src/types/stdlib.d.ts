// Minimal typings for the @stdlib packages we use (they ship their own, but under
// paths NodeNext resolution does not always find; these keep `strict` happy).
declare module '@stdlib/math-base-special-betainc' {
  export default function betainc(x: number, a: number, b: number, regularized?: boolean, upper?: boolean): number;
}
declare module '@stdlib/math-base-special-gammainc' {
  export default function gammainc(x: number, s: number, regularized?: boolean, upper?: boolean): number;
}
declare module '@stdlib/stats-base-dists-t' {
  const t: { cdf(x: number, v: number): number; quantile(p: number, v: number): number };
  export default t;
}
declare module '@stdlib/stats-base-dists-normal' {
  const n: { cdf(x: number, mu: number, s: number): number; quantile(p: number, mu: number, s: number): number };
  export default n;
}
declare module '@stdlib/stats-base-dists-chisquare' {
  const c: { cdf(x: number, k: number): number; quantile(p: number, k: number): number };
  export default c;
}
declare module '@stdlib/stats-base-dists-f' {
  const f: { cdf(x: number, d1: number, d2: number): number; quantile(p: number, d1: number, d2: number): number };
  export default f;
}
