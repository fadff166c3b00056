// SAC (SARAR) panel model with fixed effects by exact concentrated ML: a spatial lag and a
// spatial error (Anselin 1988 ch. 6; Elhorst 2014 sec. 3.2; Lee & Yu 2010).
//
//   y = rho W y + X beta + FE + u,   u = lambda W u + e.
//
// W applied to the raw data, then demeaned (as ml.ts, sem.ts):
//   e(rho, lambda) = Q (I - lambda W)((I - rho W) y - X beta)
//                  = y~ - (rho + lambda)(Wy)~ + rho lambda (WWy)~ - (X~ - lambda (WX)~) beta,
//   Lc = -(N'/2) log(e'e / N') + T' (ld(rho) + ld(lambda)),  ld(a) = log|I - a W| - c log(1 - a).
// Maximised by Brent in lambda over the profile max_rho Lc (Brent in rho), then Newton on
// the exact gradient (eigenvalue route). Information matrix over (beta, rho, lambda, sigma2)
// with A = I - rho W, B = I - lambda W, G = W A^-1, H = W B^-1, Gb = B G B^-1 and
// d = (I_T kron B G) X~ beta (Anselin 1988 eq. 6.31-6.35; Lee & Yu 2010 with T' periods):
//   beta beta: X*'X*/s2;  beta rho: X*'d/s2;  rho rho: d'd/s2 + T' tr(Gb Gb + Gb'Gb);
//   rho lambda: T' tr(H Gb + H'Gb);  lambda lambda: T' tr(HH + H'H);
//   rho s2: T' tr(G)/s2;  lambda s2: T' tr(H)/s2;  s2 s2: N'/(2 s2^2);  beta lambda: 0.
// The traces use dense n x n matrices (n^3 per fit).
import { cholesky, choleskyInverse, crossprod, crossprodVec, matMul } from '../linalg.js';
import { brentMinimize, newtonPolish2 } from './optimize.js';
import { demean, denseLag, spatialLag, feComponent, type SpatialFe } from './panel.js';
import { inverseWithSolver, type WSetup } from './setup.js';
import { csrMatDense } from './sparse.js';
import { leeYuSizes } from './traces.js';
import { dot, corr } from './vec.js';
import { MSG } from './ml.js';
import { filtered, gls } from './sem.js';

export interface SacInput {
  n: number;
  T: number;
  y: Float64Array;
  X: Float64Array[];
  fe: SpatialFe;
  leeYu: boolean;
  setup: WSetup;
}

export interface SacFit {
  n: number;
  T: number;
  rho: number;
  lambda: number;
  beta: Float64Array;
  sigma2: number;
  loglik: number;
  /** covariance of (beta..., rho, lambda, sigma2), (K + 3)^2 row-major */
  vcov: Float64Array;
  r2: number;
  r2Within: number;
  nEff: number;
  tEff: number;
  interval: [number, number];
  evaluations: number;
}

export function fitSac(inp: SacInput): SacFit {
  const { n, T, fe, leeYu, setup } = inp;
  const { nEff, tEff, dropUnit } = leeYuSizes(n, T, fe, leeYu, setup.rowStochastic);
  const N = nEff * tEff;
  const Wy = spatialLag(setup.csr, inp.y, T);
  const yd = demean(inp.y, n, T, fe);
  const wyd = demean(Wy, n, T, fe);
  const wwyd = demean(spatialLag(setup.csr, Wy, T), n, T, fe);
  const Xd = inp.X.map((x) => demean(x, n, T, fe));
  const WXd = inp.X.map((x) => demean(spatialLag(setup.csr, x, T), n, T, fe));
  const K = Xd.length;
  const ys = (r: number, l: number) => {
    const out = new Float64Array(yd.length);
    for (let i = 0; i < out.length; i++) out[i] = yd[i] - (r + l) * wyd[i] + r * l * wwyd[i];
    return out;
  };
  const at = (r: number, l: number) => gls(ys(r, l), Xd.map((x, k) => filtered(x, WXd[k], l)));
  const ldc = (a: number) => setup.logdet(a) - dropUnit * Math.log(1 - a);
  const negLc = (r: number, l: number) => (N / 2) * Math.log(at(r, l).ee / N) - tEff * (ldc(r) + ldc(l));

  const [lo, hi] = setup.interval;
  const margin = 1e-9 * (hi - lo);
  let evaluations = 0;
  const inner = (l: number) => {
    const o = brentMinimize((r) => negLc(r, l), lo + margin, hi - margin, 1e-10, 1e-9);
    evaluations += o.evaluations;
    return o;
  };
  const outer = brentMinimize((l) => inner(l).fx, lo + margin, hi - margin, 1e-10, 1e-9);
  const start: [number, number] = [inner(outer.x).x, outer.x];
  const grad = ([r, l]: [number, number]): [number, number] => {
    const f = at(r, l);
    let dr = 0, dl = 0; // d(e'e) by the envelope theorem
    for (let i = 0; i < f.e.length; i++) {
      let v = -wyd[i] + r * wwyd[i];
      for (let k = 0; k < K; k++) v += WXd[k][i] * f.b[k];
      dl += 2 * f.e[i] * v;
      dr += 2 * f.e[i] * (-wyd[i] + l * wwyd[i]);
    }
    const d = (a: number) => setup.logdetDerivatives!(a)[0] + dropUnit / (1 - a);
    return [-(N / 2) * (dr / f.ee) + tEff * d(r), -(N / 2) * (dl / f.ee) + tEff * d(l)];
  };
  const [rho, lambda] = setup.logdetDerivatives ? newtonPolish2(grad, start, lo, hi) : start;
  for (const v of [rho, lambda]) if (v - lo < 1e-6 * (hi - lo) || hi - v < 1e-6 * (hi - lo)) throw new Error(MSG.boundary(v, lo, hi));
  const Xs = Xd.map((x, k) => filtered(x, WXd[k], lambda));
  const f = gls(ys(rho, lambda), Xs);
  const sigma2 = f.ee / N;
  const loglik = -(N / 2) * Math.log(2 * Math.PI * sigma2) + tEff * (ldc(rho) + ldc(lambda)) - f.ee / (2 * sigma2);

  // dense G, H, B G and Gb = B G B^-1 (the cross traces tr(H Gb), tr(H'Gb) have no sparse route yet)
  if (setup.scale !== 'dense') throw new Error(`sac: the information matrix needs dense n x n traces, allowed up to the dense scale; this W (n = ${n}) is on the sparse scale: fit sar or sem, or use fewer units.`);
  const invR = inverseWithSolver(setup, rho), invL = inverseWithSolver(setup, lambda);
  const G = new Float64Array(n * n), H = new Float64Array(n * n), WG = new Float64Array(n * n);
  csrMatDense(setup.csr, invR.dense, G);
  csrMatDense(setup.csr, invL.dense, H);
  csrMatDense(setup.csr, G, WG);
  const BG = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) BG[i] = G[i] - lambda * WG[i];
  const Gb = matMul(BG, invL.dense, n, n, n);
  const t = pairTraces(Gb, H, n);
  if (dropUnit) {
    // Lee-Yu: traces of F'MF products, F the orthonormal complement of 1; Gb 1 = 1/(1-rho) 1, H 1 = 1/(1-lambda) 1
    const g = 1 / (1 - rho), h = 1 / (1 - lambda);
    t.trA -= g; t.trB -= h;
    t.trAA -= g * g; t.trBB -= h * h; t.trAB -= g * h;
    t.trAtA -= dot(t.csA, t.csA) / n; t.trBtB -= dot(t.csB, t.csB) / n; t.trAtB -= dot(t.csA, t.csB) / n;
  }
  const fitted = new Float64Array(n * T);
  for (let k = 0; k < K; k++) for (let i = 0; i < n * T; i++) fitted[i] += Xd[k][i] * f.b[k];
  let d = denseLag(BG, n, fitted, T);
  if (leeYu) d = demean(d, n, T, fe);
  const P = K + 3, iR = K, iL = K + 1, iS = K + 2;
  const info = new Float64Array(P * P);
  const XX = crossprod(Xs), Xd_ = crossprodVec(Xs, d);
  const set = (a: number, b: number, v: number) => { info[a * P + b] = v; info[b * P + a] = v; };
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) info[a * P + b] = XX[a * K + b] / sigma2;
    set(a, iR, Xd_[a] / sigma2);
  }
  set(iR, iR, dot(d, d) / sigma2 + tEff * (t.trAA + t.trAtA));
  set(iR, iL, tEff * (t.trAB + t.trAtB));
  set(iL, iL, tEff * (t.trBB + t.trBtB));
  set(iR, iS, (tEff * t.trA) / sigma2);
  set(iL, iS, (tEff * t.trB) / sigma2);
  set(iS, iS, N / (2 * sigma2 * sigma2));
  const Li = cholesky(info, P);
  if (!Li) throw new Error('the information matrix is not positive definite: rho and lambda are not separately identified (try SAR or SEM).');
  const vcov = choleskyInverse(Li, P);

  // R2: squared correlation of y with the reduced-form prediction (I - rho W)^-1 (X beta + FE)
  const r = new Float64Array(n * T);
  for (let i = 0; i < r.length; i++) r[i] = inp.y[i] - rho * Wy[i];
  for (let k = 0; k < K; k++) for (let i = 0; i < r.length; i++) r[i] -= inp.X[k][i] * f.b[k];
  const xb = feComponent(r, n, T, fe);
  for (let k = 0; k < K; k++) for (let i = 0; i < r.length; i++) xb[i] += inp.X[k][i] * f.b[k];
  return {
    n, T, rho, lambda, beta: f.b, sigma2, loglik, vcov, r2: corr(inp.y, invR.solvePeriods(xb, T)) ** 2,
    r2Within: 1 - f.ee / dot(yd, yd), nEff, tEff, interval: [lo, hi], evaluations: evaluations + outer.evaluations,
  };
}

/** tr A, tr B, tr AA, tr BB, tr AB, tr A'A, tr B'B, tr A'B and column sums, dense n x n. */
function pairTraces(A: Float64Array, B: Float64Array, n: number) {
  let trA = 0, trB = 0, trAA = 0, trBB = 0, trAB = 0, trAtA = 0, trBtB = 0, trAtB = 0;
  const csA = new Float64Array(n), csB = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    trA += A[i * n + i]; trB += B[i * n + i];
    for (let j = 0; j < n; j++) {
      const a = A[i * n + j], b = B[i * n + j];
      trAA += a * A[j * n + i]; trBB += b * B[j * n + i]; trAB += b * A[j * n + i];
      trAtA += a * a; trBtB += b * b; trAtB += a * b;
      csA[j] += a; csB[j] += b;
    }
  }
  return { trA, trB, trAA, trBB, trAB, trAtA, trBtB, trAtB, csA, csB };
}
