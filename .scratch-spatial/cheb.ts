import { simulateSdmPanel } from '../src/econ/spatial/simulate.ts';
import { prepareW } from '../src/econ/spatial/setup.ts';
const n = 1000;
const sim = simulateSdmPanel({ n, T: 1, k: 10, rho: 0.4, beta: [1], theta: [0.5], sigma: 1, seed: 7 });
const setup = prepareW(sim.w, n);
for (const [A, B] of [[0.34, 0.43], [0.2, 0.6], [0.7, 0.9]]) {
  const mid = (A + B) / 2, half = (B - A) / 2, m = 24;
  const fx = Array.from({ length: m }, (_, k) => setup.logdet(mid + half * Math.cos(Math.PI * (k + 0.5) / m)));
  const c = Array.from({ length: m }, (_, j) => (2 / m) * fx.reduce((s, f, k) => s + f * Math.cos(Math.PI * j * (k + 0.5) / m), 0));
  console.log(A, B, c.map((v) => v.toExponential(1)).join(' '));
}
