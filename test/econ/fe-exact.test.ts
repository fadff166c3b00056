// The exact two-step absorption (a large factor by group means, the small ones through
// a reduced normal system) against alternating projections, which it replaces when
// the small factors have few levels: same residuals to rounding on unbalanced,
// shuffled, disconnected panels with singletons, with two and three factors.
import { describe, it, expect } from 'vitest';
import { demean, encodeFactor, absorbedDof, singletonMask, subsetFactor, type Factor } from '../../src/econ/fe.js';
import { makeRng, type Rng } from '../../src/econ/rng.js';

interface Panel { ids: number[]; years: number[]; third: number[] }

/** Units x years with ~30% of cells missing, some units seen once, rows shuffled (or not). */
function panel(rng: Rng, units: number, years: number, opts: { shuffle: boolean; disconnected?: boolean }): Panel {
  const p: Panel = { ids: [], years: [], third: [] };
  for (let u = 0; u < units; u++) {
    const once = rng.uniform() < 0.05; // a singleton unit
    // disconnected: the second half of the units only sees the second half of the years
    const lo = opts.disconnected && u >= units / 2 ? Math.floor(years / 2) : 0;
    const hi = opts.disconnected && u < units / 2 ? Math.floor(years / 2) : years;
    for (let t = lo; t < hi; t++) {
      if (rng.uniform() < 0.3) continue;
      p.ids.push(1000 + u * 3); p.years.push(1990 + t); p.third.push(rng.int(4));
      if (once) break;
    }
  }
  if (opts.shuffle) {
    for (let i = p.ids.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      for (const a of [p.ids, p.years, p.third]) [a[i], a[j]] = [a[j], a[i]];
    }
  }
  return p;
}

const fac = (v: number[]) => encodeFactor(Float64Array.from(v));

function columns(rng: Rng, p: Panel, k: number): Float64Array[] {
  return Array.from({ length: k }, (_, c) => Float64Array.from(p.ids, (id, i) => rng.normal() * (c + 1) + (id % 17) * 0.3 - (p.years[i] - 1990) * 0.5 + c * 100));
}

function maxDiff(a: Float64Array[], b: Float64Array[]): number {
  let m = 0;
  a.forEach((c, j) => c.forEach((v, i) => { m = Math.max(m, Math.abs(v - b[j][i])); }));
  return m;
}

/** Largest |group sum| of x over the levels of f, relative to max |x|. */
function maxGroupSum(x: Float64Array, f: Factor): number {
  const s = new Float64Array(f.nLevels);
  let scale = 0;
  x.forEach((v, i) => { s[f.codes[i]] += v; scale = Math.max(scale, Math.abs(v)); });
  return Math.max(...Array.from(s, Math.abs)) / scale;
}

describe('exact absorption of a large and small fixed effects', () => {
  const cases = [
    { name: 'two-way, shuffled', shuffle: true, three: false },
    { name: 'two-way, sorted by unit', shuffle: false, three: false },
    { name: 'two-way, disconnected', shuffle: true, three: false, disconnected: true },
    { name: 'three-way (unit + year + a 4-level factor), shuffled', shuffle: true, three: true },
    { name: 'three-way, sorted, disconnected', shuffle: false, three: true, disconnected: true },
  ];
  for (const c of cases) {
    it(`${c.name}: same residuals as alternating projections to 1e-10, with and without singletons`, () => {
      const rng = makeRng(c.name.length * 7919);
      for (let rep = 0; rep < 4; rep++) {
        const p = panel(rng, 80 + rng.int(300), 4 + rng.int(12), { shuffle: c.shuffle, disconnected: c.disconnected });
        const all = c.three ? [fac(p.years), fac(p.ids), fac(p.third)] : [fac(p.ids), fac(p.years)];
        const cols = columns(rng, p, 3);
        for (const dropSingletons of [false, true]) {
          let fs = all, xs = cols;
          if (dropSingletons) {
            const { keep } = singletonMask(all, p.ids.length);
            const rows = Int32Array.from(Array.from(keep.keys()).filter((i) => keep[i]));
            fs = all.map((f) => subsetFactor(f, rows));
            xs = cols.map((x) => Float64Array.from(rows, (r) => x[r]));
          }
          const exact = demean(xs, fs);
          const ap = demean(xs, fs, { exact: false, tol: 1e-15, maxIter: 100_000 });
          expect(exact.info).toEqual({ iterations: 1, converged: true });
          const scale = Math.max(...xs.map((x) => Math.max(...Array.from(x, Math.abs))));
          expect(maxDiff(exact.out, ap.out) / scale).toBeLessThan(1e-10);
          for (const x of exact.out) for (const f of fs) expect(maxGroupSum(x, f)).toBeLessThan(1e-10);
        }
      }
    });
  }

  it('absorbedDof is the rank of the dummies (levels minus connected components) whichever path demeans', () => {
    const rng = makeRng(99);
    const p = panel(rng, 60, 8, { shuffle: true, disconnected: true });
    const fs = [fac(p.ids), fac(p.years)];
    // rank of [unit dummies, year dummies] by Gram-Schmidt on the dense matrix
    const n = p.ids.length, cols: Float64Array[] = [];
    for (const f of fs) for (let l = 0; l < f.nLevels; l++) cols.push(Float64Array.from(f.codes, (c) => (c === l ? 1 : 0)));
    const basis: Float64Array[] = [];
    for (const c of cols) {
      const v = c.slice();
      for (const b of basis) { let d = 0; for (let i = 0; i < n; i++) d += v[i] * b[i]; for (let i = 0; i < n; i++) v[i] -= d * b[i]; }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += v[i] * v[i];
      if (nrm > 1e-9) { nrm = Math.sqrt(nrm); for (let i = 0; i < n; i++) v[i] /= nrm; basis.push(v); }
    }
    expect(absorbedDof(fs)).toBe(basis.length);
    expect(absorbedDof(fs)).toBe(fs[0].nLevels + fs[1].nLevels - 2); // two components
  });

  it('comparable dimensions (a worker-firm chain) keep the iterative path', () => {
    const w: number[] = [], fm: number[] = [];
    for (let u = 0; u < 100; u++) for (const k of [0, 1]) { w.push(u); fm.push(u + k); }
    const x = Float64Array.from(w, (v, i) => Math.sin(i) + v * 0.01);
    expect(demean([x], [fac(w), fac(fm)]).info.iterations).toBeGreaterThan(1);
  });
});
