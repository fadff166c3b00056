// SEM and SAC on Produc with usaww against an exact concentrated ML written independently
// in R (test/fixtures/r/spatial_tests.R -> spatial_tests.json: optimize / optim on the
// concentrated likelihood, eigenvalue log-determinants, analytical information matrices),
// every FE and the Lee-Yu correction; and against splm::spml for individual FE, where W of
// the demeaned and of the raw y coincide (splm's own optimiser tolerance: ~1e-7).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareW } from '../../../src/econ/spatial/setup.js';
import { fitSem } from '../../../src/econ/spatial/sem.js';
import { fitSac } from '../../../src/econ/spatial/sac.js';
import { loadProduc, loadUsaww, relErr, X_NAMES } from './produc.js';

export const spatialRef = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/spatial_tests.json', import.meta.url)), 'utf8'));
const { n, w } = loadUsaww();
const panel = loadProduc();
const setup = prepareW(w, n);
const cases = (['none', 'individual', 'time', 'twoways'] as const).flatMap((fe) =>
  (fe === 'none' ? [false] : [false, true]).map((leeYu) => ({ fe, leeYu, key: `${fe}${leeYu ? '_leeyu' : ''}` })));

describe.each(cases)('SEM $key on Produc', ({ fe, leeYu, key }) => {
  const ref = spatialRef.models[`sem_${key}`];
  const fit = fitSem({ ...panel, fe, leeYu, setup });
  const terms = [...X_NAMES, 'lambda', 'sigma2'];
  it('lambda, beta, sigma2 and the log-likelihood agree with the exact R ML to 1e-9 relative', () => {
    expect(relErr(fit.lambda, ref.lambda)).toBeLessThan(1e-9);
    X_NAMES.forEach((v, k) => expect(relErr(fit.beta[k], ref.beta[v])).toBeLessThan(1e-9));
    expect(relErr(fit.sigma2, ref.sigma2)).toBeLessThan(1e-9);
    expect(relErr(fit.loglik, ref.logLik)).toBeLessThan(1e-12);
  });
  it('standard errors from the information matrix agree to 1e-8 relative', () => {
    terms.forEach((t, i) => expect(relErr(Math.sqrt(fit.vcov[i * terms.length + i]), ref.se[t])).toBeLessThan(1e-8));
  });
});

describe.each(cases)('SAC $key on Produc', ({ fe, leeYu, key }) => {
  const ref = spatialRef.models[`sac_${key}`];
  const fit = fitSac({ ...panel, fe, leeYu, setup });
  const terms = [...X_NAMES, 'rho', 'lambda', 'sigma2'];
  it('rho, lambda, beta, sigma2 and the log-likelihood agree with the exact R ML', () => {
    expect(relErr(fit.rho, ref.rho)).toBeLessThan(1e-8);
    expect(relErr(fit.lambda, ref.lambda)).toBeLessThan(1e-8);
    X_NAMES.forEach((v, k) => expect(relErr(fit.beta[k], ref.beta[v])).toBeLessThan(1e-8));
    expect(relErr(fit.sigma2, ref.sigma2)).toBeLessThan(1e-9);
    expect(relErr(fit.loglik, ref.logLik)).toBeLessThan(1e-12);
  });
  it('standard errors from the information matrix agree to 1e-7 relative', () => {
    terms.forEach((t, i) => expect(relErr(Math.sqrt(fit.vcov[i * terms.length + i]), ref.se[t])).toBeLessThan(1e-7));
  });
});

describe('individual FE against splm::spml', () => {
  const sp = spatialRef.splm;
  const beta = (m: Record<string, number>) => [m['log(pcap)'], m['log(pc)'], m['log(emp)'], m.unemp];
  it('SEM: lambda and beta to 1e-7', () => {
    const fit = fitSem({ ...panel, fe: 'individual', leeYu: false, setup });
    expect(relErr(fit.lambda, sp.sem_individual.rho)).toBeLessThan(1e-7);
    beta(sp.sem_individual).forEach((b, k) => expect(relErr(fit.beta[k], b)).toBeLessThan(1e-6));
  });
  it('SAC: rho (splm "lambda"), lambda (splm "rho") and beta to 1e-6', () => {
    const fit = fitSac({ ...panel, fe: 'individual', leeYu: false, setup });
    expect(relErr(fit.rho, sp.sac_individual.lambda)).toBeLessThan(1e-6);
    expect(relErr(fit.lambda, sp.sac_individual.rho)).toBeLessThan(1e-6);
    beta(sp.sac_individual).forEach((b, k) => expect(relErr(fit.beta[k], b)).toBeLessThan(1e-6));
  });
});
