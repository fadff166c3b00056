// TRUTH.json: the true effects implied by TRUE_PARAMS, and what they mean.
import { TRUE_PARAMS, W_POWER } from './params.js';

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


/** Total effect of lnINF = c' + b1 (a2 + d2 e1) + bF aF (mediators respond, controls held). */
export function totalEffect(o: 'ris' | 'ais'): number {
  const P = TRUE_PARAMS, c1 = P.chain1, c2 = P.chain2;
  const b1 = o === 'ris' ? c1.bRis : c1.bAis, bF = o === 'ris' ? c2.bRis : c2.bAis;
  return P[o].direct + b1 * (c1.a2 + c1.d2 * c1.e1) + bF * c2.aF;
}

export function makeTruth(seed: number, mess: boolean, risClamped: number, aisInexact: number): Truth {
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
