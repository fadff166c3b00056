// CR2, the Bell-McCaffrey bias-reduced linearisation (clubSandwich's CR2), for the
// registry in vcov.ts: it needs each cluster's block of the full hat matrix (slopes and
// fixed effects), so it is for small samples only and lives apart from the other meats.
import { symPower } from './linalg.js';
import type { Factor } from './fe.js';
import type { VcovProblem } from './vcov.js';
import { econOptions } from './errors.js';

const CR2_MAX_ROWS = 20_000;

/**
 * CR2 (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018): adjust each cluster's
 * residuals by (I - H_gg)^(-1/2), H the hat matrix of the full design (slopes and
 * fixed-effect dummies: H = H_Xdemeaned + H_FE), a Moore-Penrose power where I - H_gg
 * is singular (absorbed effects nested in the cluster), as clubSandwich does.
 */
export function cr2Meat(p: VcovProblem, f: Factor): Float64Array {
  const N = p.resid.length;
  if (!p.hat) throw econOptions('cr2 is available for the fe estimator only: use "stata-xtreg" or "cr1"');
  if (N > CR2_MAX_ROWS) throw econOptions(`cr2 needs an n_g x n_g matrix per cluster and the FE hat matrix: limited to ${CR2_MAX_ROWS} rows; use "stata-xtreg" here`);
  const { X: Xh, bread: Bh, projectFE } = p.hat;
  const kh = Xh.length, k = p.X.length;
  const rowsOf: number[][] = Array.from({ length: f.nLevels }, () => []);
  for (let i = 0; i < N; i++) rowsOf[f.codes[i]].push(i);
  const meat = new Float64Array(k * k);
  const unit = new Float64Array(N);
  for (const rows of rowsOf) {
    const m = rows.length;
    const IH = new Float64Array(m * m);
    // FE part of the hat matrix, column by column: H_FE e_i = e_i - within(e_i)
    for (let b = 0; b < m; b++) {
      unit[rows[b]] = 1;
      const w = projectFE(unit);
      unit[rows[b]] = 0;
      for (let a = 0; a < m; a++) IH[a * m + b] = w[rows[a]]; // (I - H_FE) e_b = within(e_b)
    }
    // minus the slopes' hat block X_g (X'X)^-1 X_g'
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let s = 0;
        for (let r = 0; r < kh; r++) {
          let t = 0;
          for (let c = 0; c < kh; c++) t += Bh[r * kh + c] * Xh[c][rows[b]];
          s += Xh[r][rows[a]] * t;
        }
        IH[a * m + b] -= s;
      }
    }
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
      const v = 0.5 * (IH[a * m + b] + IH[b * m + a]); IH[a * m + b] = v; IH[b * m + a] = v;
    }
    const A = symPower(IH, m, -0.5, 1e-10);
    // adjusted residuals A u_g, then s_g = X_g' A u_g
    const au = new Float64Array(m);
    for (let a = 0; a < m; a++) { let s = 0; for (let b = 0; b < m; b++) s += A[a * m + b] * p.resid[rows[b]]; au[a] = s; }
    const sg = new Float64Array(k);
    for (let c = 0; c < k; c++) { let s = 0; for (let a = 0; a < m; a++) s += p.X[c][rows[a]] * au[a]; sg[c] = s; }
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) meat[a * k + b] += sg[a] * sg[b];
  }
  return meat;
}
