import { simulateSdmPanel } from '../src/econ/spatial/simulate.ts';
import { prepareW } from '../src/econ/spatial/setup.ts';
import { fitSpatialPanel } from '../src/econ/spatial/ml.ts';
const truth = { rho: 0.4, beta: [1, -0.5], theta: [0.5, 0.3] };
for (const [n, T] of [[240, 10], [60, 10]]) for (const leeYu of [true]) {
  const R = 150; const acc = new Array(5).fill(0); const sq = new Array(5).fill(0);
  for (let r = 0; r < R; r++) {
    const sim = simulateSdmPanel({ n, T, k: 5, ...truth, sigma: 1, seed: 5000 + r });
    const setup = prepareW(sim.w, n);
    const f = fitSpatialPanel({ n, T, y: sim.y, X: sim.X, wx: [0, 1], fe: 'twoways', leeYu, setup });
    [f.rho, ...f.coef].forEach((v, j) => { const d = v - [0.4, 1, -0.5, 0.5, 0.3][j]; acc[j] += d / R; sq[j] += d * d / R; });
  }
  console.log(n, T, leeYu, acc.map((v, j) => `${v.toFixed(4)}(${(Math.sqrt((sq[j] - v * v) / R)).toFixed(4)})`).join(' '));
}
