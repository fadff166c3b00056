import { simulateSdmPanel } from '../src/econ/spatial/simulate.ts';
import { prepareW } from '../src/econ/spatial/setup.ts';
import { fitSpatialPanel } from '../src/econ/spatial/ml.ts';
import { spatialEffects } from '../src/econ/spatial/effects.ts';
const n = +(process.argv[2] ?? 1000);
let t = performance.now();
const sim = simulateSdmPanel({ n, T: 20, k: 10, rho: 0.4, beta: [1, -0.5], theta: [0.5, 0.3], sigma: 1, seed: 7 });
console.log('sim', performance.now() - t); t = performance.now();
const setup = prepareW(sim.w, n);
console.log('setup', setup.route, setup.bandwidth, performance.now() - t); t = performance.now();
const f = fitSpatialPanel({ n, T: 20, y: sim.y, X: sim.X, wx: [0, 1], fe: 'twoways', leeYu: false, setup });
console.log('fit', performance.now() - t, f.timings, f.rho, Array.from(f.coef), f.evaluations); t = performance.now();
const P = 5; const V = new Float64Array(P * P); for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) V[i * P + j] = f.vcov[i * 6 + j];
const eff = spatialEffects({ setup, inverse: f.inverse, rho: f.rho, xNames: ['x1', 'x2'], beta: f.coef.slice(0, 2), theta: f.coef.slice(2, 4), thetaIndex: [2, 3], vcov: V, draws: 1000, seed: 1 });
console.log('effects', performance.now() - t, eff.method, eff.direct, eff.total);
import { effectScalars } from '../src/econ/spatial/setup.ts';
{ const fs = effectScalars(setup, f.rho - 0.1, f.rho + 0.1); let tr = 0; for (let i = 0; i < n; i++) tr += f.inverse[i * n + i];
  console.log(fs.method, 'a cheb', fs.a(f.rho), 'exact', tr / n, 'diff', fs.a(f.rho) - tr / n); }
