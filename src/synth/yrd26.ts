// The synthetic raw yearbook panel of the 26 Yangtze River Delta cities (DATA.md).
// A pure, seeded function: the same options give byte-identical files. The DGP is
// built backwards from the variables the paper's pipeline measures, so the built
// lnINF, RIS and AIS carry known effects:
//  - investment I has a city trend shifted by terrain slope x year (the instrument)
//    and an AR(1) shock u that also enters RIS and AIS (the endogeneity);
//  - RIS* = FE + c' lnINF + b1 M2 + bF LQ + g'CV + (I - rho W)^-1 (kappa u + e);
//    employment shares are chosen given output shares so that the built RIS is RIS*;
//  - AIS* likewise; labour productivity (hence total employment) is solved so that
//    the min-max standardised AIS built over 2006-2020 equals AIS*.
// Every FE-level term is written as x - fefit(x): it differs from x by a city and a
// year constant only, so two-way FE slopes are exactly the stated coefficients while
// the levels stay realistic.
import { makeRng, type Rng } from '../econ/rng.js';
import { pimStock } from '../econ/measure/pim.js';
import { YRD26, type CityFact } from './cities.js';

export const FIRST_YEAR = 2003;
export const LAST_YEAR = 2020;
/** the paper's estimation sample starts here; FE levels and AIS min-max use 2006-2020 */
export const SAMPLE_FIRST = 2006;
export const YEARS: readonly number[] = Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, k) => FIRST_YEAR + k);

export const CITY_COLUMNS = [
  'city', 'province', 'year',
  'va_primary', 'va_secondary', 'va_tertiary',
  'emp_primary', 'emp_secondary', 'emp_tertiary', 'pop',
  'fai_total', 'fai_computer_services', 'fai_software', 'fai_info_transmission_it',
  'fai_utilities', 'fai_transport',
  'road_area', 'students', 'retail_sales', 'fiscal_exp', 'deposits',
  'emp_finance', 'innovation_index', 'internet_subscribers', 'ai_patents', 'robot_exposure',
] as const;
export const PROVINCE_COLUMNS = [
  'province', 'year', 'fai_utilities', 'fai_electricity_supply', 'fai_transport', 'fai_railway', 'fai_price_index',
] as const;
export const CITIES_COLUMNS = [
  'city', 'city_zh', 'province', 'lat', 'lon', 'size_class', 'gdp2020', 'pop2020', 'terrain_class', 'slope',
] as const;
export const PROVINCES = ['Shanghai', 'Jiangsu', 'Zhejiang', 'Anhui'] as const;

/** The true parameters (written to TRUTH.json). Coefficients are per unit of the built variable. */
export const TRUE_PARAMS = {
  /** ln real new-infrastructure investment: slope x year cost shift, per degree per year */
  instrumentPi: -0.012,
  /** u_it = phi u_i,t-1 + eta: stationary sd, enters ln I with coefficient 1 */
  shock: { phi: 0.9, sd: 0.2 },
  ris: {
    direct: 0.03, rho: 0.3, kappa: -0.1, noiseSd: 0.025,
    controls: { lnTrainfra: 0.005, lnHumcapital: 0.015, lnSConsume: 0.05, Govexp: 0.1, lnFD: 0.04 },
  },
  ais: {
    direct: 0.025, rho: 0.4, kappa: -0.06, noiseSd: 0.008,
    controls: { lnTrainfra: 0.01, lnHumcapital: 0.03, lnSConsume: -0.03, Govexp: -0.15, lnFD: -0.02 },
  },
  /** chain 1: lnINF -> ln innovation (e1) -> intelligence (a2 direct, d2 via innovation) -> IST (b) */
  chain1: { e1: 0.25, a2: 0.3, d2: 0.5, bRis: 0.02, bAis: 0.02 },
  /** chain 2: lnINF -> financial agglomeration LQ (aF) -> IST (b); TFP is not set (a Solow residual) */
  chain2: { aF: 0.08, bRis: 0.06, bAis: 0.06 },
} as const;

const CONTROL_NAMES = ['lnTrainfra', 'lnHumcapital', 'lnSConsume', 'Govexp', 'lnFD'] as const;

export interface SynthOptions {
  seed?: number;
  /** a few missing cells and the 2011 Hefei boundary break */
  mess?: boolean;
}

/** The latent panel (rows city-major, years 2003-2020), for tests and the TRUTH file. */
export interface SynthPanel {
  cities: string[];
  years: number[];
  city: string[];
  year: Float64Array;
  slope: Float64Array;
  lnINF: Float64Array;
  ris: Float64Array;
  ais: Float64Array;
  u: Float64Array;
  controls: Record<(typeof CONTROL_NAMES)[number], Float64Array>;
  lnInnovation: Float64Array;
  intelligence: Float64Array;
  lq: Float64Array;
  /** row-standardised inverse-distance W (26 x 26, row-major) used for the spillovers */
  W: Float64Array;
}

export interface SynthResult {
  files: Record<'city_year.csv' | 'province_year.csv' | 'cities.csv' | 'TRUTH.json', string>;
  truth: Truth;
  panel: SynthPanel;
}

export interface Truth {
  seed: number;
  mess: boolean;
  units: Record<string, string>;
  w: { method: string; power: number; standardize: string };
  instrument: { definition: string; pi: number; valid: string };
  endogeneity: { shock: string; phi: number; sd: number; kappaRis: number; kappaAis: number; biasDirection: string };
  ris: OutcomeTruth;
  ais: OutcomeTruth;
  chain1: Record<string, number | string>;
  chain2: Record<string, number | string>;
  notes: string[];
}

interface OutcomeTruth {
  /** effect of lnINF on the outcome, controls held, mediators free: what FE/IV of y on lnINF + CV target */
  total: number;
  /** c': lnINF's own coefficient with the mediators held */
  direct: number;
  controls: Record<string, number>;
  sdm: { rho: number; beta: number; theta: number; direct: number; indirect: number; total: number };
  clamped: number;
}

// National FAI price index (previous year = 100), DATA.md; 2003-2005 from the NBS series.
const PRICE_INDEX: Record<number, number> = {
  2003: 102.2, 2004: 105.6, 2005: 101.6, 2006: 101.5, 2007: 103.9, 2008: 108.9, 2009: 97.6, 2010: 103.6,
  2011: 106.6, 2012: 101.1, 2013: 100.3, 2014: 100.5, 2015: 98.2, 2016: 99.4, 2017: 105.8, 2018: 105.4,
  2019: 102.6, 2020: 101.0,
};
// Nominal GDP growth into year t (DATA.md: 17.5% 2007-10, 11.6% 2011-15, 8.8% 2016-20 with 2020 ~4%).
const gdpGrowth = (t: number): number =>
  t <= 2006 ? 0.16 : t <= 2010 ? 0.175 : t <= 2015 ? 0.116 : t <= 2019 ? 0.1 : 0.04;
/** share of the province's sector investment that lies in its YRD cities */
const COVERAGE: Record<string, number> = { Shanghai: 1, Jiangsu: 0.74, Zhejiang: 0.78, Anhui: 0.58 };
const CAPITALS = new Set(['Shanghai', 'Nanjing', 'Hangzhou', 'Hefei']);
/** the frontier anchor's productivity, relative to the natural maximum (sets the AIS level) */
const HI_STRETCH = 2.6;
const LO_STRETCH = 0.85;
/** distance power of the DGP's spatial weights */
export const W_POWER = 2;
const BOUNDARY_BREAK = { city: 'Hefei', year: 2011, factor: 0.78 };

/** terrain_class -> slope range (DATA.md: plain 0.5-2, mixed 3-7, hilly 8-15 degrees) */
export function terrainGroup(cls: string): 'plain' | 'mixed' | 'hilly' {
  const c = cls.toLowerCase();
  if (c.startsWith('hilly') || c.includes('mountainous')) return 'hilly';
  if (c.startsWith('plain') && !c.includes('hill')) return 'plain';
  return 'mixed';
}
const SLOPE_RANGE = { plain: [0.5, 2], mixed: [3, 7], hilly: [8, 15] } as const;

/** Shortest decimal of x rounded to `sig` significant digits: exact and platform-independent. */
export function fmt(x: number, sig = 8): string {
  if (!Number.isFinite(x)) throw new Error(`synth: non-finite value ${x}`);
  return String(Number(x.toPrecision(sig)));
}

function haversineKm(a: CityFact, b: CityFact): number {
  const r = Math.PI / 180;
  const dlat = (b.lat - a.lat) * r, dlon = (b.lon - a.lon) * r;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dlon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * Row-standardised inverse-distance weights 1/d^power (w-matrix's inverse-distance).
 * The DGP uses power 2: with power 1 the 26 cities' weights are nearly uniform, and with
 * two-way FE a near-uniform W leaves rho almost unidentified.
 */
export function inverseDistanceW(cities: readonly CityFact[], power = W_POWER): Float64Array {
  const n = cities.length;
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) if (i !== j) { W[i * n + j] = haversineKm(cities[i], cities[j]) ** -power; s += W[i * n + j]; }
    for (let j = 0; j < n; j++) W[i * n + j] /= s;
  }
  return W;
}

/** (I - rho W)^-1 by Gauss-Jordan (n = 26). */
function spatialInverse(W: Float64Array, n: number, rho: number): Float64Array {
  const A = new Float64Array(n * n), B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { A[i * n + j] = (i === j ? 1 : 0) - rho * W[i * n + j]; B[i * n + j] = i === j ? 1 : 0; }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]) > Math.abs(A[p * n + c])) p = r;
    for (let k = 0; k < n; k++) {
      [A[c * n + k], A[p * n + k]] = [A[p * n + k], A[c * n + k]];
      [B[c * n + k], B[p * n + k]] = [B[p * n + k], B[c * n + k]];
    }
    const d = A[c * n + c];
    for (let k = 0; k < n; k++) { A[c * n + k] /= d; B[c * n + k] /= d; }
    for (let r = 0; r < n; r++) if (r !== c) {
      const f = A[r * n + c];
      if (f !== 0) for (let k = 0; k < n; k++) { A[r * n + k] -= f * A[c * n + k]; B[r * n + k] -= f * B[c * n + k]; }
    }
  }
  return B;
}

export function generateYrd26(opts: SynthOptions = {}): SynthResult {
  const seed = opts.seed ?? 1;
  const mess = opts.mess ?? false;
  const P = TRUE_PARAMS;
  const rng = makeRng(seed);
  const cities = YRD26;
  const n = cities.length, T = YEARS.length, N = n * T;
  const row = (i: number, k: number) => i * T + k;
  const yr = (k: number) => YEARS[k];
  const nrm = (sd: number) => sd * rng.normal();
  const unif = (a: number, b: number) => a + (b - a) * rng.uniform();
  const inSample = (k: number) => yr(k) >= SAMPLE_FIRST;
  const isAnhui = (i: number) => cities[i].province === 'Anhui';

  // Two-way FE fit over the 2006-2020 sample, applied to every year.
  const fefit = (x: Float64Array): Float64Array => {
    const ci = new Float64Array(n), ct = new Float64Array(T);
    let g = 0;
    const Ts = YEARS.filter((t) => t >= SAMPLE_FIRST).length;
    for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) {
      ct[k] += x[row(i, k)] / n;
      if (inSample(k)) { ci[i] += x[row(i, k)] / Ts; g += x[row(i, k)] / (n * Ts); }
    }
    const out = new Float64Array(N);
    for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) out[row(i, k)] = ci[i] + ct[k] - g;
    return out;
  };
  const meanSample = (x: Float64Array): number => { let a = 0, m = 0; for (let r = 0; r < N; r++) if (inSample(r % T)) { a += x[r]; m++; } return a / m; };
  const within = (x: Float64Array): Float64Array => { const f = fefit(x); return x.map((v, r) => v - f[r]); };
  /** per city: OLS slope on (year - mean) of x over the sample */
  const cityTrend = (x: Float64Array): number[] => {
    const ks = YEARS.map((_, k) => k).filter(inSample);
    const tbar = ks.reduce((s, k) => s + yr(k), 0) / ks.length;
    return cities.map((_, i) => {
      let sxy = 0, sxx = 0;
      for (const k of ks) { sxy += (yr(k) - tbar) * x[row(i, k)]; sxx += (yr(k) - tbar) ** 2; }
      return sxy / sxx;
    });
  };
  /** remove from x the part of its city trends explained (across cities) by the given city vectors */
  const offTrend = (x: Float64Array, by: number[][]): Float64Array => {
    const c = cityTrend(x);
    const X = [cities.map(() => 1), ...by];
    const A = X.map((a) => X.map((b) => a.reduce((s, v, i) => s + v * b[i], 0)));
    const rhs = X.map((a) => a.reduce((s, v, i) => s + v * c[i], 0));
    const beta = solveSmall(A, rhs);
    const cbar = c.reduce((s, v) => s + v, 0) / n;
    const fitted = cities.map((_, i) => X.reduce((s, col, j) => s + beta[j] * col[i], 0) - cbar);
    const ks = YEARS.map((_, kk) => kk).filter(inSample);
    const tbar = ks.reduce((s, kk) => s + yr(kk), 0) / ks.length;
    return panel((i, kk) => x[row(i, kk)] - fitted[i] * (yr(kk) - tbar));
  };
  const panel = (f: (i: number, k: number) => number): Float64Array => {
    const out = new Float64Array(N);
    for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) out[row(i, k)] = f(i, k);
    return out;
  };

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
  // AIS* = a natural base + the structural terms. The base is the AIS of natural
  // productivity and natural employment shares, so it is free of lnINF and u; the part
  // of its city trends that lines up with slope or with lnINF's city trends is removed,
  // so the base cannot bias FE or IV.
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
  // (and with the controls' city trends: IV partials them out of the instrument)
  const aisBase = offTrend(ais0, [slope.map((v) => v - slopeMean), cityTrend(xW), ...CONTROL_NAMES.map((c) => cityTrend(ctrlW[c]))]);
  const aisLin = linear(P.ais, P.chain1.bAis, P.chain2.bAis);
  // AIS shocks scale with the square root of the level: a low-AIS city-year cannot absorb
  // a shock of the average size without an implausible productivity swing
  const baseMean = meanSample(aisBase);
  const aisV = spatial(P.ais.rho, P.ais.kappa, P.ais.noiseSd, (r) => Math.min(1.5, Math.max(0.3, Math.sqrt(Math.max(0, aisBase[r]) / baseMean))));
  const ais = panel((i, k) => aisBase[row(i, k)] + aisLin[row(i, k)] + aisV[row(i, k)]);
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

  // --- FAI and its sectors ------------------------------------------------------------------
  const faiRatio = panel((i, k) => {
    const t = yr(k), c = cities[i];
    if (c.city === 'Shanghai') return 0.42 - 0.2 * Math.min(1, Math.max(0, (t - 2003) / 17));
    const base = 0.47 + (isAnhui(i) ? 0.05 : 0);
    const peak = isAnhui(i) ? 0.45 : 0.12;
    const up = Math.min(1, Math.max(0, (t - 2003) / 12)) - (t > 2016 ? 0.04 * (t - 2016) : 0);
    return base + peak * up;
  });
  const faiCity = cities.map(() => Math.exp(nrm(0.1)));
  const rE: Record<string, number[]> = {}, rR: Record<string, number[]> = {};
  for (const p of PROVINCES) { rE[p] = YEARS.map(() => unif(0.5, 0.62)); rR[p] = YEARS.map(() => unif(0.15, 0.25)); }
  const cols: Record<string, Float64Array> = {};
  for (const name of CITY_COLUMNS.slice(3)) cols[name] = new Float64Array(N).fill(NaN);
  const ictBoost = (c: string) => (CAPITALS.has(c) ? 2 : 1);
  for (let i = 0; i < n; i++) {
    const c = cities[i];
    const csShare = unif(0.3, 0.5);
    for (let k = 0; k < T; k++) {
      const r = row(i, k), t = yr(k), p = c.province;
      const Inom = Math.exp(lnIreal[r]) * deflator[p][k];
      // ICT swings +/-30-50% a year; the split never changes the total I_nom
      const w = [0.3 * ictBoost(c.city) * Math.exp(nrm(0.3)), 0.4 * Math.exp(nrm(0.1)), 0.3 * Math.exp(nrm(0.1))];
      const ws = w[0] + w[1] + w[2];
      const ict = Inom * w[0] / ws, elec = Inom * w[1] / ws, rail = Inom * w[2] / ws;
      if (t < 2012) {
        cols.fai_computer_services[r] = ict * csShare;
        cols.fai_software[r] = ict * (1 - csShare);
      } else cols.fai_info_transmission_it[r] = ict;
      // allocate-share inverts exactly: (city / province) x province sub-sector = elec
      cols.fai_utilities[r] = elec / rE[p][k];
      cols.fai_transport[r] = rail / rR[p][k];
      cols.fai_total[r] = Math.max(faiRatio[r] * faiCity[i] * Math.exp(nrm(0.04)) * gdp[r],
        1.5 * (ict + cols.fai_utilities[r] + cols.fai_transport[r]));
    }
  }

  // --- the rest of the city file -----------------------------------------------------------
  const finShare = (t: number) => 0.012 + 0.0005 * (t - FIRST_YEAR);
  for (let r = 0; r < N; r++) {
    const t = YEARS[r % T];
    cols.va_primary[r] = gdp[r] * y1[r];
    cols.va_secondary[r] = gdp[r] * y2[r];
    cols.va_tertiary[r] = gdp[r] * y3[r];
    cols.emp_primary[r] = L[r] * l1[r];
    cols.emp_secondary[r] = L[r] * l2[r];
    cols.emp_tertiary[r] = L[r] * l3[r];
    cols.pop[r] = pop[r];
    cols.road_area[r] = roadPc[r] * pop[r]; // m2 per person x 10k persons = 10k m2
    cols.students[r] = hum[r] * pop[r];
    cols.retail_sales[r] = scons[r] * gdp[r];
    cols.fiscal_exp[r] = gov[r] * gdp[r];
    cols.deposits[r] = fd[r] * gdp[r];
    cols.emp_finance[r] = lq[r] * finShare(t) * L[r];
    cols.innovation_index[r] = Math.exp(lnInnovation[r]);
    const m2 = intelligence[r];
    cols.internet_subscribers[r] = Math.max(0.01, 0.02 + 0.045 * m2 + nrm(0.01)) * pop[r];
    cols.ai_patents[r] = Math.round(Math.max(0, 0.5 * (m2 - 0.8) + nrm(0.05)) * pop[r] / 10);
    cols.robot_exposure[r] = Math.max(0.1, 15 * m2 + nrm(3));
  }

  // --- optional mess: a boundary break and a few missing cells ----------------------------
  const missing = new Set<string>();
  if (mess) {
    const bi = cities.findIndex((c) => c.city === BOUNDARY_BREAK.city);
    const extensive = ['va_primary', 'va_secondary', 'va_tertiary', 'emp_primary', 'emp_secondary', 'emp_tertiary', 'pop',
      'fai_total', 'fai_computer_services', 'fai_software', 'fai_info_transmission_it', 'fai_utilities', 'fai_transport',
      'road_area', 'students', 'retail_sales', 'fiscal_exp', 'deposits', 'emp_finance', 'internet_subscribers'];
    for (let k = 0; k < T; k++) if (yr(k) < BOUNDARY_BREAK.year) for (const c of extensive) cols[c][row(bi, k)] *= BOUNDARY_BREAK.factor;
    const mrng: Rng = makeRng(seed + 7919);
    const targets = ['road_area', 'students', 'retail_sales', 'deposits', 'emp_finance', 'ai_patents', 'fiscal_exp', 'internet_subscribers'];
    for (const c of targets) {
      const i = mrng.int(n), k = (SAMPLE_FIRST - FIRST_YEAR) + 1 + mrng.int(T - (SAMPLE_FIRST - FIRST_YEAR) - 2);
      missing.add(`${row(i, k)}:${c}`);
    }
  }

  // --- files ---------------------------------------------------------------------------------
  const cityLines = [CITY_COLUMNS.join(',')];
  for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) {
    const r = row(i, k);
    const cells: string[] = [cities[i].city, cities[i].province, String(yr(k))];
    for (const c of CITY_COLUMNS.slice(3)) {
      const v = cols[c][r];
      cells.push(Number.isNaN(v) || missing.has(`${r}:${c}`) ? '' : c === 'ai_patents' ? String(v) : fmt(v));
    }
    cityLines.push(cells.join(','));
  }
  const provLines = [PROVINCE_COLUMNS.join(',')];
  for (const p of PROVINCES) for (let k = 0; k < T; k++) {
    let util = 0, trans = 0;
    for (let i = 0; i < n; i++) if (cities[i].province === p) { util += cols.fai_utilities[row(i, k)]; trans += cols.fai_transport[row(i, k)]; }
    // the province also holds its non-YRD cities; the shipped sub-sector is exactly
    // r x the shipped sector total, so allocate-share returns the city's own figure
    const cov = COVERAGE[p] * (p === 'Shanghai' ? 1 : Math.exp(nrm(0.03)));
    const pu = Number(fmt(util / cov)), pt = Number(fmt(trans / cov));
    provLines.push([p, String(yr(k)), fmt(pu), fmt(rE[p][k] * pu), fmt(pt), fmt(rR[p][k] * pt), priceIdx[p][k].toFixed(1)].join(','));
  }
  const citiesLines = [CITIES_COLUMNS.join(',')];
  cities.forEach((c, i) => citiesLines.push([c.city, c.city_zh, c.province, String(c.lat), String(c.lon), c.size_class,
    String(c.gdp2020), String(c.pop2020), csvQuote(c.terrain_class), slope[i].toFixed(2)].join(',')));

  const truth = makeTruth(seed, mess, risClamped, aisInexact);
  return {
    files: {
      'city_year.csv': cityLines.join('\n') + '\n',
      'province_year.csv': provLines.join('\n') + '\n',
      'cities.csv': citiesLines.join('\n') + '\n',
      'TRUTH.json': JSON.stringify(truth, null, 2) + '\n',
    },
    truth,
    panel: {
      cities: cities.map((c) => c.city), years: [...YEARS],
      city: Array.from({ length: N }, (_, r) => cities[Math.floor(r / T)].city),
      year: panel((_, k) => yr(k)), slope: panel((i) => slope[i]),
      lnINF, ris, ais, u, controls, lnInnovation, intelligence, lq, W,
    },
  };
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

/** Solves A x = b for a small dense system (Gauss-Jordan with partial pivoting). */
export function solveSmall(A: number[][], b: number[]): number[] {
  const k = b.length, M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < k; r++) if (r !== c) { const f = M[r][c] / M[c][c]; for (let j = c; j <= k; j++) M[r][j] -= f * M[c][j]; }
  }
  return M.map((r, i) => r[k] / r[i]);
}

function csvQuote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Total effect of lnINF = c' + b1 (a2 + d2 e1) + bF aF (mediators respond, controls held). */
export function totalEffect(o: 'ris' | 'ais'): number {
  const P = TRUE_PARAMS, c1 = P.chain1, c2 = P.chain2;
  const b1 = o === 'ris' ? c1.bRis : c1.bAis, bF = o === 'ris' ? c2.bRis : c2.bAis;
  return P[o].direct + b1 * (c1.a2 + c1.d2 * c1.e1) + bF * c2.aF;
}

function makeTruth(seed: number, mess: boolean, risClamped: number, aisInexact: number): Truth {
  const P = TRUE_PARAMS;
  const outcome = (o: 'ris' | 'ais'): OutcomeTruth => {
    const total = totalEffect(o), rho = P[o].rho;
    return {
      total: round(total), direct: P[o].direct, controls: { ...P[o].controls },
      // the spillover runs through the unobserved part: y = X b + (I - rho W)^-1 e, i.e. an
      // SDM with theta = -rho b (common factor), so lnINF's indirect effect is zero
      sdm: { rho, beta: round(total), theta: round(-rho * total), direct: round(total), indirect: 0, total: round(total) },
      clamped: o === 'ris' ? risClamped : aisInexact,
    };
  };
  return {
    seed, mess,
    units: {
      lnINF: 'ln of the PIM stock in 10k yuan (2003 prices): ln(K_100m_yuan x 1e4)',
      money: '100 million yuan, current prices', people: '10k persons',
    },
    w: { method: 'inverse-distance', power: W_POWER, standardize: 'row' },
    instrument: {
      definition: 'slope x year (any year origin: the city FE absorbs the shift)',
      pi: P.instrumentPi,
      valid: 'slope enters only the trend of ln real new-infrastructure investment',
    },
    endogeneity: {
      shock: 'u_it AR(1), enters ln I with coefficient 1 and RIS / AIS with kappa',
      phi: P.shock.phi, sd: P.shock.sd, kappaRis: P.ris.kappa, kappaAis: P.ais.kappa,
      biasDirection: 'u raises investment and lowers RIS and AIS: two-way FE OLS is biased downward',
    },
    ris: outcome('ris'),
    ais: outcome('ais'),
    chain1: {
      mediators: 'M1 = ln(innovation_index); M2 = intelligence (latent; the PC1 of internet/AI patents/robots per capita is a linear proxy)',
      a_lnINF_to_M1: P.chain1.e1, a_lnINF_to_M2: P.chain1.a2, d_M1_to_M2: P.chain1.d2,
      a_total_lnINF_to_M2: round(P.chain1.a2 + P.chain1.d2 * P.chain1.e1),
      b_M2_to_RIS: P.chain1.bRis, b_M2_to_AIS: P.chain1.bAis,
      indirect_RIS: round(P.chain1.bRis * (P.chain1.a2 + P.chain1.d2 * P.chain1.e1)),
      indirect_AIS: round(P.chain1.bAis * (P.chain1.a2 + P.chain1.d2 * P.chain1.e1)),
    },
    chain2: {
      mediators: 'M1 = ln TFP (Solow residual of the other series; its path is not set); M2 = financial location quotient',
      a_lnINF_to_LQ: P.chain2.aF, d_TFP_to_LQ: 0,
      b_LQ_to_RIS: P.chain2.bRis, b_LQ_to_AIS: P.chain2.bAis,
      indirect_RIS: round(P.chain2.bRis * P.chain2.aF), indirect_AIS: round(P.chain2.bAis * P.chain2.aF),
    },
    notes: [
      'Coefficients hold for two-way FE regressions on the 2006-2020 sample (the FE levels are fitted there).',
      'RIS built from the files equals the latent target to ~1e-7 (8 significant digits).',
      'AIS equals its target (but for ais.clamped rows) when the min-max standardisation runs over all raw rows 2003-2020, as workflows/data.json does; three pre-sample rows anchor the range.',
      'Spatial: build W with w-matrix { method: inverse-distance, power: 2 }; with two-way FE on 26 units estimate the SDM with leeYu: true (the uncorrected ML biases rho far down).',
      'ris.clamped / ais.clamped: 2006-2020 rows where the target left the feasible range and was clamped (the linear model does not hold exactly there).',
      'The mediators scale: indirect effects a x b are invariant to it; a and b separately are on the latent scale.',
    ],
  };
}

const round = (x: number) => Number(x.toPrecision(10));
