import * as aq from 'arquero';
import { makeRng } from '../src/econ/rng.ts';
import { fitFeModel } from '../src/nodes/fe.ts';
const U = 100000, T = 10, N = U * T;
const rng = makeRng(1);
const cols: Record<string, Float64Array> = { id: new Float64Array(N), year: new Float64Array(N), y: new Float64Array(N) };
for (let k = 1; k <= 5; k++) cols['x' + k] = new Float64Array(N);
for (let i = 0; i < N; i++) { cols.id[i] = Math.floor(i / T) + 1; cols.year[i] = 2001 + (i % T); for (let k = 1; k <= 5; k++) cols['x' + k][i] = rng.normal(); cols.y[i] = cols.x1[i] + rng.normal(); }
const table = aq.table(cols);
for (let r = 0; r < 3; r++) {
  const timings: Record<string, number> = {};
  const c0 = process.cpuUsage(); const t = performance.now();
  fitFeModel(table, { y: 'y', x: ['x1','x2','x3','x4','x5'], fe: ['id','year'], panel: {id:'id', time:'year'}, vcov: {cluster:'id'} } as any, { timings });
  const c = process.cpuUsage(c0);
  console.log('fit wall', (performance.now() - t).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0), JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)]))));
}
