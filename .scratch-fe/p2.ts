import * as aq from 'arquero';
import { readFileSync } from 'node:fs';
import { parseCsv } from '../src/io/csv.ts';
for (const f of ['test/fixtures/grunfeld.csv', 'test/fixtures/crime.csv']) {
  const d = parseCsv(readFileSync(f), { file: f });
  const ref = aq.fromCSV(readFileSync(f, 'utf8'));
  let bad = 0;
  for (const nm of d.names) { const a = d.columns[nm], b = ref.array(nm); for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) { bad++; if (bad < 5) console.log(nm, i, a[i], b[i]); } }
  console.log(f, d.nRows, ref.numRows(), d.names.length, 'mismatches', bad, d.columns.region?.slice(0,3));
}
const buf = readFileSync('/tmp/p1.csv');
for (let r = 0; r < 3; r++) { const t = performance.now(); const d = parseCsv(buf, {}); console.log('parse', (performance.now() - t).toFixed(0), d.nRows); }
