// Neighbour search without an n x n distance matrix: a k-d tree over the units' points
// on the unit sphere (chord length is an increasing function of great-circle distance),
// so a kNN or cut-off W at N = 20,000 costs O(N log N) searches instead of N^2 / 2
// haversines and 3.2 GB. The tree only proposes candidates (with a relative margin of
// 1e-9 on the chord); the selection is then made on the same haversine values and with
// the same tie rule as the dense builders, so both give identical matrices.
// Hand-written: the k-d tree is ~80 lines, and the npm ones index 2-d planes (wrong
// metric) or pull in geometry libraries for one query type.
import { EARTH_RADIUS_KM } from './haversine.js';

const RAD = Math.PI / 180;
const MARGIN = 1e-9;
const LEAF = 8;

export interface PointIndex {
  n: number;
  /** unit-sphere coordinates, 3 per unit */
  xyz: Float64Array;
  phi: Float64Array;
  lam: Float64Array;
  cosPhi: Float64Array;
  /** tree: node t covers order[lo[t]..hi[t]); children 2t+1, 2t+2; split axis and value */
  order: Int32Array;
  lo: Int32Array;
  hi: Int32Array;
  axis: Int8Array;
  split: Float64Array;
}

export function pointIndex(lat: ArrayLike<number>, lon: ArrayLike<number>): PointIndex {
  const n = lat.length;
  const phi = Float64Array.from(lat, (v) => v * RAD);
  const lam = Float64Array.from(lon, (v) => v * RAD);
  const cosPhi = phi.map(Math.cos);
  const xyz = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    xyz[3 * i] = cosPhi[i] * Math.cos(lam[i]);
    xyz[3 * i + 1] = cosPhi[i] * Math.sin(lam[i]);
    xyz[3 * i + 2] = Math.sin(phi[i]);
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let nodes = 1;
  while (nodes * LEAF < n) nodes *= 2;
  const size = 2 * nodes;
  const lo = new Int32Array(size).fill(-1), hi = new Int32Array(size), axis = new Int8Array(size).fill(-1), split = new Float64Array(size);
  const build = (t: number, a: number, b: number) => {
    lo[t] = a; hi[t] = b;
    if (b - a <= LEAF || 2 * t + 2 >= size) return;
    let best = 0, spread = -1;
    for (let d = 0; d < 3; d++) {
      let mn = Infinity, mx = -Infinity;
      for (let q = a; q < b; q++) { const v = xyz[3 * order[q] + d]; if (v < mn) mn = v; if (v > mx) mx = v; }
      if (mx - mn > spread) { spread = mx - mn; best = d; }
    }
    const seg = Array.from(order.subarray(a, b)).sort((p, q) => xyz[3 * p + best] - xyz[3 * q + best] || p - q);
    order.set(seg, a);
    const m = (a + b) >> 1;
    axis[t] = best;
    split[t] = xyz[3 * order[m] + best];
    build(2 * t + 1, a, m);
    build(2 * t + 2, m, b);
  };
  build(0, 0, n);
  return { n, xyz, phi, lam, cosPhi, order, lo, hi, axis, split };
}

function chord2(ix: PointIndex, i: number, j: number): number {
  const a = ix.xyz, dx = a[3 * i] - a[3 * j], dy = a[3 * i + 1] - a[3 * j + 1], dz = a[3 * i + 2] - a[3 * j + 2];
  return dx * dx + dy * dy + dz * dz;
}

/** Great-circle km between units i and j, computed exactly as distanceMatrix does. */
export function pairKm(ix: PointIndex, i: number, j: number): number {
  const p = i < j ? i : j, q = i < j ? j : i;
  const a = Math.sin((ix.phi[q] - ix.phi[p]) / 2), b = Math.sin((ix.lam[q] - ix.lam[p]) / 2);
  const s = a * a + ix.cosPhi[p] * ix.cosPhi[q] * b * b;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Units j != i within squared chord r2 of unit i (any order). */
export function withinChord(ix: PointIndex, i: number, r2: number, out: number[]): void {
  out.length = 0;
  const r = Math.sqrt(r2);
  const visit = (t: number) => {
    if (ix.axis[t] < 0) {
      for (let q = ix.lo[t]; q < ix.hi[t]; q++) { const j = ix.order[q]; if (j !== i && chord2(ix, i, j) <= r2) out.push(j); }
      return;
    }
    const d = ix.xyz[3 * i + ix.axis[t]] - ix.split[t];
    if (d <= r) visit(2 * t + 1);
    if (d >= -r) visit(2 * t + 2);
  };
  visit(0);
}

/** Squared chord to the k-th nearest unit j != i. */
function kthChord2(ix: PointIndex, i: number, k: number, best: Float64Array): number {
  best.fill(Infinity);
  const visit = (t: number) => {
    if (ix.axis[t] < 0) {
      for (let q = ix.lo[t]; q < ix.hi[t]; q++) {
        const j = ix.order[q];
        if (j === i) continue;
        const c = chord2(ix, i, j);
        if (c >= best[k - 1]) continue;
        let p = k - 1;
        while (p > 0 && best[p - 1] > c) { best[p] = best[p - 1]; p--; }
        best[p] = c;
      }
      return;
    }
    const d = ix.xyz[3 * i + ix.axis[t]] - ix.split[t];
    const [near, far] = d <= 0 ? [2 * t + 1, 2 * t + 2] : [2 * t + 2, 2 * t + 1];
    visit(near);
    if (d * d <= best[k - 1] * (1 + MARGIN) + 1e-300) visit(far);
  };
  visit(0);
  return best[k - 1];
}

/**
 * The k nearest units of each unit (ascending unit index per row), ties broken by unit
 * order exactly as the dense builder does. Returns column indices, k per row.
 */
export function kNearest(ix: PointIndex, k: number): Int32Array {
  const n = ix.n;
  const out = new Int32Array(n * k);
  const best = new Float64Array(k);
  const cand: number[] = [];
  const nb = new Int32Array(k), nd = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const r2 = kthChord2(ix, i, k, best);
    withinChord(ix, i, r2 * (1 + MARGIN) + 1e-300, cand);
    cand.sort((a, b) => a - b);
    // the dense builder's insertion over j ascending, on the same haversine values
    let m = 0;
    for (const j of cand) {
      const dj = pairKm(ix, i, j);
      if (m === k && dj >= nd[k - 1]) continue;
      let p = m < k ? m++ : k - 1;
      while (p > 0 && nd[p - 1] > dj) { nd[p] = nd[p - 1]; nb[p] = nb[p - 1]; p--; }
      nd[p] = dj;
      nb[p] = j;
    }
    const row = Array.from(nb.subarray(0, k)).sort((a, b) => a - b);
    out.set(row, i * k);
  }
  return out;
}

/** Squared chord of a great-circle distance (km), widened by the margin. */
export function chord2OfKm(km: number): number {
  const c = 2 * Math.sin(Math.min(Math.PI, km / EARTH_RADIUS_KM) / 2);
  return c * c * (1 + MARGIN) + 1e-300;
}
