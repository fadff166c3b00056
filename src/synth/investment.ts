// Stage 2 of the DGP: real new-infrastructure investment with the slope x year cost
// shift (the instrument) and the AR(1) shock u (the endogeneity), its PIM stock lnINF,
// and the mediators (ln innovation, intelligence, financial LQ) that respond to lnINF.
import type { Ctx } from './context.js';
import type { Economy } from './economy.js';
import { pimStock } from '../econ/measure/pim.js';
import { TRUE_PARAMS, CAPITALS, FIRST_YEAR } from './params.js';

export type Investment = ReturnType<typeof drawInvestment>;

export function drawInvestment(c: Ctx, e: Economy) {
  const { cities, n, T, N, row, yr, nrm, isAnhui, within } = c;
  const { slope, slopeMean, rich } = e;
  const P = TRUE_PARAMS;
  // --- new-infrastructure investment, the shock u and the instrument ---------------------
  const u = new Float64Array(N), lnIreal = new Float64Array(N);
  const innov = Math.sqrt(1 - P.shock.phi ** 2) * P.shock.sd;
  for (let i = 0; i < n; i++) {
    const gi = (isAnhui(i) ? 0.01 : 0) + nrm(0.025);
    for (let k = 0; k < T; k++) {
      const r = row(i, k), t = yr(k);
      u[r] = k === 0 ? nrm(P.shock.sd) : P.shock.phi * u[r - 1] + nrm(innov);
      lnIreal[r] = Math.log(0.0115 * cities[i].gdp2020) + 0.11 * (t - 2020) + gi * (t - 2012)
        + P.instrumentPi * (slope[i] - slopeMean) * (t - 2012) + u[r] + nrm(0.06);
    }
  }
  const lnINF = new Float64Array(N);
  for (let i = 0; i < n; i++) {
    const I = new Float64Array(T);
    for (let k = 0; k < T; k++) I[k] = Math.exp(lnIreal[row(i, k)]);
    // METHOD 1.4 defaults: delta 0.09, K_0 = I_0 / 0.10, K_(t+1) = K_t (1 - delta) + I_t
    const { K } = pimStock(I, { delta: 0.09, base: 'zhang', zhangRate: 0.1, window: 5, growthMean: 'arithmetic', timing: 'start' });
    for (let k = 0; k < T; k++) lnINF[row(i, k)] = Math.log(K[k] * 1e4); // 100m yuan -> 10k yuan
  }
  const xW = within(lnINF);

  // --- mediators ---------------------------------------------------------------------------
  const lnInnovation = new Float64Array(N), intelligence = new Float64Array(N), lq = new Float64Array(N);
  const innovLevel = cities.map((c) => Math.log(2 * (c.gdp2020 / 1000) ** 1.4) + (CAPITALS.has(c.city) ? 0.5 : 0));
  for (let i = 0; i < n; i++) {
    const m1i = nrm(0.1);
    for (let k = 0; k < T; k++) {
      const r = row(i, k);
      lnInnovation[r] = innovLevel[i] + m1i + 0.12 * (yr(k) - 2012) + P.chain1.e1 * xW[r] + nrm(0.05);
    }
  }
  const m1W = within(lnInnovation);
  for (let i = 0; i < n; i++) {
    const m2i = 0.6 * rich[i] + nrm(0.25);
    const q = 0.9 + 0.3 * Math.log(cities[i].gdp2020 / 3000) + (CAPITALS.has(cities[i].city) ? 0.35 : 0) + nrm(0.08);
    for (let k = 0; k < T; k++) {
      const r = row(i, k), s = (yr(k) - FIRST_YEAR) / (T - 1);
      intelligence[r] = 1.2 + m2i + 6 * s * s + P.chain1.a2 * xW[r] + P.chain1.d2 * m1W[r] + nrm(0.15);
      lq[r] = Math.max(0.15, q + 0.01 * (yr(k) - 2012) + P.chain2.aF * xW[r] + nrm(0.04));
    }
  }
  const m2W = within(intelligence), lqW = within(lq);

  return { u, lnIreal, lnINF, xW, lnInnovation, intelligence, lq, m2W, lqW };
}
