// Stage 3 of the DGP: the outcome targets and the employment that delivers them.
// RIS* and AIS* are FE + structural terms + kappa u + (I - rho W)^-1 e; employment
// shares are chosen so the built RIS is RIS*, and productivity is solved row by row so
// that the min-max AIS over all 2003-2020 rows is AIS*.
import type { Ctx } from './context.js';
import { spatialInverse } from './context.js';
import type { Economy } from './economy.js';
import type { Investment } from './investment.js';
import { TRUE_PARAMS, CONTROL_NAMES, YEARS, HI_STRETCH, LO_STRETCH } from './params.js';

export type Outcomes = ReturnType<typeof buildOutcomes>;

/** AR(1) coefficient of the AIS base's city deviation (persistent, like structural change) */
const AIS_DEV_PHI = 0.8;

export function buildOutcomes(c: Ctx, e: Economy, v: Investment) {
  const { cities, n, T, N, row, yr, nrm, inSample, panel, within, meanSample } = c;
  const { W, rich, gdp, pop, y1, y2, y3, controls } = e;
  const { u, xW, m2W, lqW } = v;
  const P = TRUE_PARAMS;
  // --- outcome targets -------------------------------------------------------------------
  // y's shocks: kappa u (the endogeneity, own city only) + (I - rho W)^-1 e (the spillover);
  // `scale` makes them heteroskedastic (AIS: smaller where its level is low)
  const spatial = (rho: number, kappa: number, sd: number, scale: (r: number) => number = () => 1): Float64Array => {
    const Ainv = spatialInverse(W, n, rho);
    const e = panel((i, k) => nrm(sd) * scale(row(i, k)));
    const v = new Float64Array(N);
    for (let k = 0; k < T; k++) for (let i = 0; i < n; i++) {
      let s = kappa * u[row(i, k)] * scale(row(i, k));
      for (let j = 0; j < n; j++) s += Ainv[i * n + j] * e[row(j, k)];
      v[row(i, k)] = s;
    }
    return v;
  };
  const ctrlW = Object.fromEntries(CONTROL_NAMES.map((c) => [c, within(controls[c])])) as Record<(typeof CONTROL_NAMES)[number], Float64Array>;
  const linear = (o: { direct: number; controls: Record<string, number> }, b1: number, bF: number) =>
    panel((i, k) => {
      const r = row(i, k);
      let s = o.direct * xW[r] + b1 * m2W[r] + bF * lqW[r];
      for (const c of CONTROL_NAMES) s += o.controls[c] * ctrlW[c][r];
      return s;
    });

  // left-skewed like the paper's RIS (mean 0.90, max 0.99, min 0.75): a ceiling minus a lognormal gap
  const risLevel = cities.map((_, i) => 0.95 - Math.min(0.17, 0.042 * Math.exp(-0.5 * rich[i] + nrm(0.5))));
  const risTrend = (t: number) => -0.015 + 0.03 * (t - 2006) / 14;
  const risLin = linear(P.ris, P.chain1.bRis, P.chain2.bRis);
  const risV = spatial(P.ris.rho, P.ris.kappa, P.ris.noiseSd);
  let risClamped = 0;
  const ris = panel((i, k) => {
    const r = row(i, k);
    const v = risLevel[i] + risTrend(yr(k)) + risLin[r] + risV[r];
    if (v > 0.995 || v < 0.6) { if (inSample(k)) risClamped++; return Math.max(0.6, Math.min(0.995, v)); }
    return v;
  });

  // Natural productivity (employment ~0.58 of population) and the natural employment
  // shares, implied by RIS's fixed effects alone (free of lnINF and u).
  const er = panel((i, k) => 0.58 + 0.003 * (yr(k) - 2012) + (i === 0 ? -0.02 : 0) + nrm(0.004));
  const erCity = cities.map(() => Math.exp(nrm(0.12)));
  const P0 = panel((i, k) => gdp[row(i, k)] / (pop[row(i, k)] * er[row(i, k)] * erCity[i]));
  const ysh = (r: number) => [y1[r], y2[r], y3[r]];
  const lNat = Array.from({ length: N }, (_, r) => splitEmployment(ysh(r), 1.5 * (1 - (risLevel[Math.floor(r / T)] + risTrend(YEARS[r % T])))));
  const range = (ratio: (r: number) => number[], Pv: Float64Array, keep: (k: number) => boolean = inSample) => {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity], loRow = [0, 0, 0], hiRow = [0, 0, 0];
    for (let r = 0; r < N; r++) if (keep(r % T)) {
      const q = ratio(r);
      for (let j = 0; j < 3; j++) {
        if (q[j] * Pv[r] < lo[j]) { lo[j] = q[j] * Pv[r]; loRow[j] = r; }
        if (q[j] * Pv[r] > hi[j]) { hi[j] = q[j] * Pv[r]; hiRow[j] = r; }
      }
    }
    return { lo, hi, loRow, hiRow };
  };
  const nat = range((r) => ysh(r).map((y, j) => y / lNat[r][j]), P0);
  // Actual employment shares: RIS* fixes the total deviation; among the splits that give
  // it, take the one whose AIS slope in P is closest to the natural one, so that solving
  // for AIS below keeps productivity (hence employment / population) near natural.
  const l1 = new Float64Array(N), l2 = new Float64Array(N), l3 = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    const y = ysh(r), h = 1.5 * (1 - ris[r]);
    const gOf = (l: number[]) => l.reduce((s, lj, j) => s + y[j] * y[j] / (lj * (nat.hi[j] - nat.lo[j] * LO_STRETCH)), 0);
    const g0 = gOf(lNat[r]);
    let best = splitEmployment(y, h), bestErr = Infinity;
    for (let q = 0; q <= 200; q++) {
      const l = splitAt(y, h, -h + (2 * h * q) / 200);
      if (l[0] < 0.02 || l[1] < 0.1 || l[2] < 0.1) continue;
      const err = Math.abs(gOf(l) / g0 - 1) + 1e-4 * Math.abs(q / 200 - 0.725);
      if (err < bestErr) { bestErr = err; best = l; }
    }
    l1[r] = best[0]; l2[r] = best[1]; l3[r] = best[2];
  }

  // AIS. Min-max standardisation is scale-free in productivity, so the range is pinned
  // by anchor rows: the lowest natural sector productivity is stretched down by
  // LO_STRETCH and the highest up by HI_STRETCH (a frontier outlier, as in real city
  // data where registered employment misses migrant workers); the stretch brings mean
  // AIS to the paper's ~0.11. Every other row's productivity P = Y/L is solved so that
  // its AIS equals AIS* exactly (unless that would leave the range: counted).
  // AIS* = a natural base + the structural terms + the shocks. The base's levels come from
  // the AIS of natural productivity and natural employment shares (free of lnINF and u).
  const sampleMeanSq = (x: Float64Array) => { let a = 0, m = 0; for (let r = 0; r < N; r++) if (inSample(r % T)) { a += x[r] * x[r]; m++; } return a / m; };
  const ratios = (r: number) => [y1[r] / l1[r], y2[r] / l2[r], y3[r] / l3[r]];
  // The range spans every row the pipeline standardises over (2003-2020); the anchors
  // are pre-sample rows (2003-2005), so every 2006-2020 row can hit its target.
  const act = range(ratios, P0, () => true);
  const lo = act.lo.map((v) => v * LO_STRETCH), hi = act.hi.map((v) => v * HI_STRETCH);
  const anchorP = new Map<number, number>();
  for (let j = 0; j < 3; j++) for (const side of ['lo', 'hi'] as const) {
    // the pre-sample row closest to the bound whose other sectors stay inside the range
    // once it sits on the bound (else the range would widen for every other row)
    let best = -1, bestLp = side === 'lo' ? Infinity : -Infinity, fallback = -1;
    for (let r = 0; r < N; r++) if (!inSample(r % T) && !anchorP.has(r)) {
      const q = ratios(r), lp = q[j] * P0[r];
      const p = (side === 'lo' ? lo[j] : hi[j]) / q[j];
      const fits = q.every((qq, jj) => jj === j || (qq * p >= lo[jj] && qq * p <= hi[jj]));
      if (fallback < 0 || (side === 'lo' ? lp < ratios(fallback)[j] * P0[fallback] : lp > ratios(fallback)[j] * P0[fallback])) fallback = r;
      if (fits && (side === 'lo' ? lp < bestLp : lp > bestLp)) { bestLp = lp; best = r; }
    }
    const r = best >= 0 ? best : fallback;
    anchorP.set(r, (side === 'lo' ? lo[j] : hi[j]) / ratios(r)[j]);
  }
  // an anchor must not push another sector out of the range
  for (const [r, p] of anchorP) { const q = ratios(r); for (let j = 0; j < 3; j++) { lo[j] = Math.min(lo[j], q[j] * p); hi[j] = Math.max(hi[j], q[j] * p); } }
  const ais0 = panel((i, k) => {
    const r = row(i, k), y = ysh(r);
    let a = 0;
    for (let j = 0; j < 3; j++) a += y[j] * ((y[j] / lNat[r][j]) * P0[r] - lo[j]) / (hi[j] - lo[j]);
    return a;
  });
  // The base keeps only the natural AIS's two-way FE part (its levels). Its within part
  // is a near-deterministic function of the city facts (growth paths, share trends), the
  // same in every seed: kept in the error, it made the cluster SEs of FE and IV about
  // twice the sampling sd of the estimates (a fixed per-city score that no data set
  // redraws). In its place a persistent city deviation of the same size, drawn afresh
  // with each seed and independent of everything else.
  const level = c.fefit(ais0);
  const devSd = Math.sqrt(sampleMeanSq(within(ais0))), devInnov = Math.sqrt(1 - AIS_DEV_PHI ** 2) * devSd;
  const dev = new Float64Array(N);
  for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) { const r = row(i, k); dev[r] = k === 0 ? nrm(devSd) : AIS_DEV_PHI * dev[r - 1] + nrm(devInnov); }
  const aisLin = linear(P.ais, P.chain1.bAis, P.chain2.bAis);
  // AIS shocks scale with the square root of the level: a low-AIS city-year cannot absorb
  // a shock of the average size without an implausible productivity swing
  const baseMean = meanSample(level);
  const aisV = spatial(P.ais.rho, P.ais.kappa, P.ais.noiseSd, (r) => Math.min(1.5, Math.max(0.3, Math.sqrt(Math.max(0, level[r]) / baseMean))));
  const ais = panel((i, k) => level[row(i, k)] + dev[row(i, k)] + aisLin[row(i, k)] + aisV[row(i, k)]);
  const Pr = Float64Array.from(P0);
  let aisInexact = 0;
  for (let r = 0; r < N; r++) {
    if (anchorP.has(r)) { Pr[r] = anchorP.get(r)!; continue; }
    const q = ratios(r), y = ysh(r);
    let a = 0, b = 0, pMin = 0, pMax = Infinity;
    for (let j = 0; j < 3; j++) {
      a += y[j] * q[j] / (hi[j] - lo[j]); b += y[j] * lo[j] / (hi[j] - lo[j]);
      pMin = Math.max(pMin, lo[j] / q[j]); pMax = Math.min(pMax, hi[j] / q[j]);
    }
    const p = (ais[r] + b) / a;
    Pr[r] = Math.min(pMax, Math.max(pMin, p));
    if (Pr[r] !== p && inSample(r % T)) aisInexact++;
  }
  const L = panel((i, k) => gdp[row(i, k)] / Pr[row(i, k)]);

  return { ris, ais, risClamped, aisInexact, l1, l2, l3, L };
}

/**
 * Employment shares given output shares y and half the total deviation h = 1.5 (1 - RIS):
 * primary employs more than its output share, tertiary less, secondary takes s in
 * [-h, h]; then sum |y_j - l_j| = 2h exactly, so the built RIS is the target.
 */
export function splitEmployment(y: number[], h: number): number[] {
  let s = 0.45 * h;
  if (y[2] - h < 0.15) s = Math.max(-h, -(0.15 - (y[2] - h)));
  const l = splitAt(y, h, s);
  if (l.every((v) => v >= 0.03)) return l;
  // an extreme deviation: the feasible split nearest the default
  let best = l, bestD = Infinity;
  for (let q = 0; q <= 200; q++) {
    const sq = -h + (2 * h * q) / 200, lq = splitAt(y, h, sq);
    if (lq.every((v) => v >= 0.03) && Math.abs(sq - s) < bestD) { bestD = Math.abs(sq - s); best = lq; }
  }
  return best;
}

export function splitAt(y: number[], h: number, s: number): number[] {
  return [y[0] + h - Math.max(s, 0), y[1] + s, y[2] - h - Math.min(s, 0)];
}
