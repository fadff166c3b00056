// Stage 1 of the DGP: the economy the other series hang on. City slope (the instrument's
// source), spatial weights, provincial FAI price indices, population and nominal GDP
// backwards from the real 2020 facts, sector output shares, and the controls.
import type { Ctx } from './context.js';
import { inverseDistanceW } from './context.js';
import { PROVINCES, PRICE_INDEX, CAPITALS, SLOPE_RANGE, YEARS, terrainGroup, gdpGrowth } from './params.js';

export type Economy = ReturnType<typeof drawEconomy>;

export function drawEconomy(c: Ctx) {
  const { cities, n, T, N, row, yr, nrm, unif, isAnhui } = c;
  // --- city facts: slope drawn from the terrain class, rounded as shipped -----------
  const slope = cities.map((c) => {
    const [a, b] = SLOPE_RANGE[terrainGroup(c.terrain_class)];
    return Math.round(unif(a, b) * 100) / 100;
  });
  const slopeMean = slope.reduce((s, v) => s + v, 0) / n;
  const W = inverseDistanceW(cities);
  const gdppc = cities.map((c) => c.gdp2020 / c.pop2020);
  const lnpcMean = gdppc.reduce((s, v) => s + Math.log(v), 0) / n;
  const lnpcSd = Math.sqrt(gdppc.reduce((s, v) => s + (Math.log(v) - lnpcMean) ** 2, 0) / n);
  const rich = gdppc.map((v) => (Math.log(v) - lnpcMean) / lnpcSd);

  // --- prices: provincial FAI index within about +/-1 point of the national one ------
  const priceIdx: Record<string, number[]> = {};
  const deflator: Record<string, number[]> = {};
  for (const p of PROVINCES) {
    priceIdx[p] = YEARS.map((t) => Math.round((PRICE_INDEX[t] + Math.max(-1, Math.min(1, nrm(0.45)))) * 10) / 10);
    // METHOD 1.3: P_2003 = 1, P_t = P_(t-1) idx_t / 100
    const d = [1];
    for (let k = 1; k < T; k++) d.push(d[k - 1] * priceIdx[p][k] / 100);
    deflator[p] = d;
  }

  // --- population and nominal GDP, backwards from the 2020 facts ---------------------
  const pop = new Float64Array(N), gdp = new Float64Array(N);
  for (let i = 0; i < n; i++) {
    const c = cities[i];
    const gp = c.city === 'Shanghai' ? -1 : (isAnhui(i) ? 0.0 : 0.008) + (CAPITALS.has(c.city) ? 0.012 : 0) + nrm(0.004);
    const cg = (c.province === 'Shanghai' ? -0.025 : 0) + nrm(0.007);
    pop[row(i, T - 1)] = c.pop2020;
    gdp[row(i, T - 1)] = c.gdp2020;
    for (let k = T - 2; k >= 0; k--) {
      const t1 = yr(k + 1);
      const popg = gp < 0 ? (t1 <= 2010 ? 0.034 : 0.008) : gp; // Shanghai's 2000s inflow
      pop[row(i, k)] = pop[row(i, k + 1)] / Math.exp(popg + nrm(0.002));
      const anhuiCatchUp = isAnhui(i) && t1 <= 2015 ? 0.015 : 0;
      gdp[row(i, k)] = gdp[row(i, k + 1)] / (1 + gdpGrowth(t1) + anhuiCatchUp + cg + nrm(0.01));
    }
  }

  // --- output shares --------------------------------------------------------------------
  const y1 = new Float64Array(N), y2 = new Float64Array(N), y3 = new Float64Array(N);
  for (let i = 0; i < n; i++) {
    const c = cities[i];
    const sh = c.city === 'Shanghai';
    const pos = Math.max(0, Math.min(1, (gdppc[i] - 6) / 10));
    const p06 = sh ? 0.009 : Math.exp(Math.log(0.26) + (Math.log(0.025) - Math.log(0.26)) * pos + nrm(0.12));
    const dec = sh ? 0.075 : 0.06 + nrm(0.01);
    const tau06 = sh ? 0.535 : 0.37 + (CAPITALS.has(c.city) ? 0.06 : 0) + nrm(0.03);
    const tauSlope = sh ? 0.2 / 14 : 0.0115 + nrm(0.002);
    for (let k = 0; k < T; k++) {
      const r = row(i, k), dt = yr(k) - 2006;
      const p1 = Math.min(0.4, p06 * Math.exp(-dec * dt + nrm(0.03)));
      const tau = Math.min(0.85, Math.max(0.2, tau06 + tauSlope * dt + nrm(0.008)));
      y1[r] = p1; y2[r] = (1 - p1) * (1 - tau); y3[r] = (1 - p1) * tau;
    }
  }

  // --- controls, as the ratios METHOD 1.6 builds ------------------------------------------
  const roadPc = new Float64Array(N), hum = new Float64Array(N), scons = new Float64Array(N), gov = new Float64Array(N), fd = new Float64Array(N);
  const HUM_BASE: Record<string, number> = { Nanjing: 0.09, Hangzhou: 0.065, Hefei: 0.07, Shanghai: 0.022, Zhenjiang: 0.03, Wuhu: 0.03 };
  for (let i = 0; i < n; i++) {
    const c = cities[i];
    const fRoad = nrm(0.45), hBase = HUM_BASE[c.city] ?? 0.011 * Math.exp(nrm(0.3));
    const fS = nrm(0.17), fG = Math.exp(-0.5 * rich[i] * lnpcSd + nrm(0.12));
    const fF = CAPITALS.has(c.city) ? 0.9 : 1.25 * Math.exp(nrm(0.22));
    for (let k = 0; k < T; k++) {
      const r = row(i, k), t = yr(k), dt = t - 2006;
      roadPc[r] = Math.exp(Math.log(16) + Math.log(25 / 14) * dt / 14 + fRoad + nrm(0.04));
      hum[r] = hBase * Math.exp(0.025 * (t - 2013) + nrm(0.03));
      scons[r] = 0.35 * Math.exp(fS - (t >= 2008 && t <= 2011 ? 0.06 : 0) + nrm(0.03));
      gov[r] = (0.095 + 0.05 * Math.max(0, Math.min(1, dt / 9))) * fG * Math.exp(nrm(0.04));
      fd[r] = c.city === 'Shanghai' ? (2.5 + 1.3 * dt / 14) * Math.exp(nrm(0.02)) : (fF + (CAPITALS.has(c.city) ? 1.0 : 0)) * Math.exp(0.015 * dt + nrm(0.03));
    }
  }
  const controls = {
    lnTrainfra: roadPc.map(Math.log), lnHumcapital: hum.map(Math.log), lnSConsume: scons.map(Math.log), Govexp: gov, lnFD: fd.map(Math.log),
  };
  return { slope, slopeMean, W, gdppc, rich, lnpcSd, priceIdx, deflator, pop, gdp, y1, y2, y3, roadPc, hum, scons, gov, fd, controls };
}
