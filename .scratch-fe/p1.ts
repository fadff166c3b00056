import * as aq from 'arquero';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCsv } from '../src/io/csv.ts';
import { makeRng } from '../src/econ/rng.ts';
const rng = makeRng(1);
let s = 'id,year,y,x1,x2,x3,x4,x5,z\n';
const parts: string[] = [s];
for (let i = 0; i < 1_000_000; i++) parts.push(`${(i/10|0)+1},${2001+i%10},${Array.from({length:7},()=>rng.normal().toFixed(6)).join(',')}\n`);
writeFileSync('/tmp/p1.csv', parts.join(''));
const buf = readFileSync('/tmp/p1.csv');
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  const d = parseCsv(buf, {});
  const tp = performance.now() - t;
  t = performance.now();
  const tab = aq.table(d.columns as any);
  const tt = performance.now() - t;
  t = performance.now();
  const a = tab.array('id');
  const ta = performance.now() - t;
  console.log('parse', tp.toFixed(0), 'table', tt.toFixed(0), 'array', ta.toFixed(0), a instanceof Float64Array, a === d.columns.id);
}
