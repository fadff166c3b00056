import { readFileSync } from 'node:fs';
import { parseCsv, readShared } from '../src/io/csv.ts';
const plain = readFileSync('/tmp/p1.csv');
const a = parseCsv(plain, {});
for (let r = 0; r < 3; r++) {
  const c0 = process.cpuUsage(); let t = performance.now();
  const sh = readShared('/tmp/p1.csv'); const tr = performance.now() - t; t = performance.now();
  const b = parseCsv(sh, {});
  const c = process.cpuUsage(c0);
  let same = a.nRows === b.nRows;
  for (const nm of a.names) { const x = a.columns[nm] as Float64Array, y = b.columns[nm] as Float64Array; for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) { same = false; break; } }
  console.log('read', tr.toFixed(0), 'parse', (performance.now() - t).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0), 'same', same, b.nRows, b.columns.y instanceof Float64Array);
}
for (let r = 0; r < 2; r++) { const t = performance.now(); parseCsv(plain, {}); console.log('serial', (performance.now() - t).toFixed(0)); }
