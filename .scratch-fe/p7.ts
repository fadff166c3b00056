import { demean, encodeFactor } from '../src/econ/fe.ts';
import { makeRng } from '../src/econ/rng.ts';
const rng = makeRng(3);
for (const [U, T, miss] of [[100000, 10, 0.3], [20000, 50, 0.6], [5000, 200, 0.95]] as const) {
  const a: number[] = [], b: number[] = [], x: number[] = [];
  for (let i = 0; i < U; i++) for (let t = 0; t < T; t++) if (rng.uniform() > miss) { a.push(i); b.push(t); x.push(rng.normal() + i % 7 + t * 0.1); }
  const t0 = performance.now();
  const r = demean([Float64Array.from(x)], [encodeFactor(Float64Array.from(a)), encodeFactor(Float64Array.from(b))]);
  console.log(U, T, miss, x.length, r.info, (performance.now() - t0).toFixed(0), 'ms');
}
// worker-firm style: poorly connected
{
  const n = 200000, W = 50000, F = 5000; const a = new Float64Array(n), b = new Float64Array(n), x = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = rng.int(W); b[i] = Math.min(F - 1, Math.floor(a[i] / 10) + (rng.uniform() < 0.1 ? rng.int(F) : 0)); x[i] = rng.normal() + a[i] % 3; }
  const t0 = performance.now();
  const r = demean([x], [encodeFactor(a), encodeFactor(b)]);
  console.log('worker-firm', r.info, (performance.now() - t0).toFixed(0), 'ms');
}
