// The synthetic raw yearbook panel of the 26 Yangtze River Delta cities (DATA.md).
// A pure, seeded function: the same options give byte-identical files. The DGP is
// built backwards from the variables the paper's pipeline measures, so the built
// lnINF, RIS and AIS carry known effects (data/yrd26/README.md, "The DGP in one page"):
//  - investment I has a city trend shifted by terrain slope x year (the instrument)
//    and an AR(1) shock u that also enters RIS and AIS (the endogeneity);
//  - RIS* = FE + c' lnINF + b1 M2 + bF LQ + g'CV + kappa u + (I - rho W)^-1 e;
//    employment shares are chosen given output shares so that the built RIS is RIS*;
//  - AIS* likewise; labour productivity (hence total employment) is solved so that
//    the min-max standardised AIS built over 2003-2020 equals AIS*.
// Every FE-level term is written as x - fefit(x): it differs from x by a city and a
// year constant only, so two-way FE slopes are exactly the stated coefficients while
// the levels stay realistic. The stages (one file each) draw from one seeded stream
// in this order: economy, investment, outcomes, files.
import { makeContext } from './context.js';
import { drawEconomy } from './economy.js';
import { drawInvestment } from './investment.js';
import { buildOutcomes } from './outcomes.js';
import { writeFiles } from './files.js';
import { makeTruth, type Truth } from './truth.js';
import { YEARS, CONTROL_NAMES } from './params.js';

export * from './params.js';
export { fmt, inverseDistanceW, solveSmall } from './context.js';
export { splitEmployment, splitAt } from './outcomes.js';
export { totalEffect, type Truth } from './truth.js';

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


export function generateYrd26(opts: SynthOptions = {}): SynthResult {
  const seed = opts.seed ?? 1;
  const mess = opts.mess ?? false;
  const c = makeContext(seed);
  const e = drawEconomy(c);
  const v = drawInvestment(c, e);
  const o = buildOutcomes(c, e, v);
  const files = writeFiles(c, e, v, o, seed, mess);
  const truth = makeTruth(seed, mess, o.risClamped, o.aisInexact);
  const { cities, N, T, panel, yr } = c;
  return {
    files: { ...files, 'TRUTH.json': JSON.stringify(truth, null, 2) + '\n' },
    truth,
    panel: {
      cities: cities.map((x) => x.city), years: [...YEARS],
      city: Array.from({ length: N }, (_, r) => cities[Math.floor(r / T)].city),
      year: panel((_, k) => yr(k)), slope: panel((i) => e.slope[i]),
      lnINF: v.lnINF, ris: o.ris, ais: o.ais, u: v.u, controls: e.controls,
      lnInnovation: v.lnInnovation, intelligence: v.intelligence, lq: v.lq, W: e.W,
    },
  };
}
