// The DGP's constants: true parameters (TRUTH.json), file layouts, the facts and
// calibration numbers the stages share (DATA.md and data/yrd26/README.md say where each comes from).
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

export const CONTROL_NAMES = ['lnTrainfra', 'lnHumcapital', 'lnSConsume', 'Govexp', 'lnFD'] as const;

// National FAI price index (previous year = 100), DATA.md; 2003-2005 from the NBS series.
export const PRICE_INDEX: Record<number, number> = {
  2003: 102.2, 2004: 105.6, 2005: 101.6, 2006: 101.5, 2007: 103.9, 2008: 108.9, 2009: 97.6, 2010: 103.6,
  2011: 106.6, 2012: 101.1, 2013: 100.3, 2014: 100.5, 2015: 98.2, 2016: 99.4, 2017: 105.8, 2018: 105.4,
  2019: 102.6, 2020: 101.0,
};
// Nominal GDP growth into year t (DATA.md: 17.5% 2007-10, 11.6% 2011-15, 8.8% 2016-20 with 2020 ~4%).
export const gdpGrowth = (t: number): number =>
  t <= 2006 ? 0.16 : t <= 2010 ? 0.175 : t <= 2015 ? 0.116 : t <= 2019 ? 0.1 : 0.04;
/** share of the province's sector investment that lies in its YRD cities */
export const COVERAGE: Record<string, number> = { Shanghai: 1, Jiangsu: 0.74, Zhejiang: 0.78, Anhui: 0.58 };
export const CAPITALS = new Set(['Shanghai', 'Nanjing', 'Hangzhou', 'Hefei']);
/** the frontier anchor's productivity, relative to the natural maximum (sets the AIS level) */
export const HI_STRETCH = 2.6;
export const LO_STRETCH = 0.85;
/** distance power of the DGP's spatial weights */
export const W_POWER = 2;
export const BOUNDARY_BREAK = { city: 'Hefei', year: 2011, factor: 0.78 };

/** terrain_class -> slope range (DATA.md: plain 0.5-2, mixed 3-7, hilly 8-15 degrees) */
export function terrainGroup(cls: string): 'plain' | 'mixed' | 'hilly' {
  const c = cls.toLowerCase();
  if (c.startsWith('hilly') || c.includes('mountainous')) return 'hilly';
  if (c.startsWith('plain') && !c.includes('hill')) return 'plain';
  return 'mixed';
}
export const SLOPE_RANGE = { plain: [0.5, 2], mixed: [3, 7], hilly: [8, 15] } as const;

