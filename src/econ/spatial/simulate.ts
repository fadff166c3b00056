// A seeded SDM panel with known parameters, for the Monte Carlo test and the benchmark:
// units scattered over a region, kNN (or given) W, x ~ N(0,1) + unit effect,
// y_t = (I - rho W)^-1 (X_t beta + W X_t theta + mu + lambda_t + e_t).
import { makeRng } from '../rng.js';
import { buildWeights, buildWeightMatrix } from './weights.js';
import { prepareW, inverseAt, DENSE_SCALE_MAX_N } from './setup.js';
import { neumannSolveBlock } from './solve.js';
import type { Csr } from './sparse.js';
import { spatialLag, denseLag } from './panel.js';

export interface SimSpec {
  n: number;
  T: number;
  k: number;
  rho: number;
  beta: number[];
  theta: number[];
  sigma: number;
  seed: number;
}

export interface SimPanel {
  ids: string[];
  lat: Float64Array;
  lon: Float64Array;
  /** W dense (n <= DENSE_SCALE_MAX_N) or as compressed rows (larger n: never an n x n) */
  w: Float64Array | Csr;
  /** stacked by period: row t n + i */
  y: Float64Array;
  X: Float64Array[];
}

export function simulateSdmPanel(s: SimSpec): SimPanel {
  const rng = makeRng(s.seed);
  const { n, T } = s;
  const ids = Array.from({ length: n }, (_, i) => `u${String(i + 1).padStart(5, '0')}`);
  const lat = new Float64Array(n), lon = new Float64Array(n);
  for (let i = 0; i < n; i++) { lat[i] = 25 + 15 * rng.uniform(); lon[i] = 100 + 20 * rng.uniform(); }
  const small = n <= DENSE_SCALE_MAX_N;
  const wOpts = { method: 'knn', k: s.k, power: 1, standardize: 'row' } as const;
  const w = small ? buildWeights({ ids, lat, lon }, wOpts) : buildWeightMatrix({ ids, lat, lon }, wOpts).sparse!;
  // large n: only lags and solves are needed, not a log-det set-up
  const setup = small ? prepareW(w, n) : null;
  const csr = small ? setup!.csr : (w as Csr);
  const X = s.beta.map(() => {
    const x = new Float64Array(n * T);
    const unit = Array.from({ length: n }, () => rng.normal());
    for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) x[t * n + i] = unit[i] + rng.normal();
    return x;
  });
  const WX = X.map((x) => spatialLag(csr, x, T));
  const mu = Array.from({ length: n }, () => rng.normal());
  const lambda = Array.from({ length: T }, () => rng.normal());
  const rhs = new Float64Array(n * T);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < n; i++) {
      const r = t * n + i;
      let v = mu[i] + lambda[t] + s.sigma * rng.normal();
      s.beta.forEach((b, k) => { v += b * X[k][r] + s.theta[k] * WX[k][r]; });
      rhs[r] = v;
    }
  }
  const y = small ? denseLag(inverseAt(setup!, s.rho), n, rhs, T) : neumannSolveBlock(csr, s.rho, rhs, T, 1);
  return { ids, lat, lon, w, y, X };
}
