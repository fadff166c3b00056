import { wildClusterBootstrap } from '../src/econ/wild-bootstrap.ts';
import { makeRng } from '../src/econ/rng.ts';
import { encodeFactor } from '../src/econ/fe.ts';
function data(seed: number, beta1: number) {
  const rng = makeRng(seed);
  const g: number[] = [], x1: number[] = [], x2: number[] = [], y: number[] = [];
  for (let c = 0; c < 12; c++) { const ce = rng.normal(), cy = rng.normal();
    for (let i = 0; i < 5 + (c % 4); i++) { const a = rng.normal() + 0.5 * ce, b = rng.normal(); g.push(c); x1.push(a); x2.push(b); y.push(beta1 * a + 0.7 * b + cy + rng.normal()); } }
  return { cluster: encodeFactor(Float64Array.from(g)), X: [Float64Array.from(x1), Float64Array.from(x2)], y: Float64Array.from(y) };
}
for (const b of [0, 2]) { const r = wildClusterBootstrap({ ...data(5, b), term: 0, reps: 999, weights: 'webb', seed: 1, level: 0.95 }); console.log(b, r.p_value, r.conf_low, r.conf_high, r.t_stat); }
