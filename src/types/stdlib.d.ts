// Minimal typings for the @stdlib packages we use (they ship their own, but under
// paths NodeNext resolution does not always find; these keep `strict` happy).
declare module '@stdlib/math-base-special-betainc' {
  export default function betainc(x: number, a: number, b: number, regularized?: boolean, upper?: boolean): number;
}
declare module '@stdlib/math-base-special-gammainc' {
  export default function gammainc(x: number, s: number, regularized?: boolean, upper?: boolean): number;
}
declare module '@stdlib/stats-base-dists-t-quantile' {
  export default function quantile(p: number, v: number): number;
}
declare module '@stdlib/stats-base-dists-normal-cdf' {
  export default function cdf(x: number, mu: number, s: number): number;
}
declare module '@stdlib/stats-base-dists-normal-quantile' {
  export default function quantile(p: number, mu: number, s: number): number;
}
declare module '@stdlib/stats-base-dists-chisquare-quantile' {
  export default function quantile(p: number, k: number): number;
}
declare module '@stdlib/stats-base-dists-f-quantile' {
  export default function quantile(p: number, d1: number, d2: number): number;
}
