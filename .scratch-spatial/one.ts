import { simulateSdmPanel } from '../src/econ/spatial/simulate.ts';
import { prepareW } from '../src/econ/spatial/setup.ts';
import { fitSpatialPanel } from '../src/econ/spatial/ml.ts';
const n = 1000, T = 20;
const sim = simulateSdmPanel({ n, T, k: 10, rho: 0.4, beta: [1, -0.5], theta: [0.5, 0.3], sigma: 1, seed: 7 });
for (let r = 0; r < 3; r++) {
const setup = prepareW(sim.w, n);
const f = fitSpatialPanel({ n, T, y: sim.y, X: sim.X, wx: [0, 1], fe: 'twoways', leeYu: false, setup });
console.log(f.timings);
}
