import { readFileSync } from 'node:fs';
import { parseCsv } from '../src/io/csv.ts';
const buf = readFileSync('/tmp/p1.csv');
for (let r = 0; r < 4; r++) { const c0 = process.cpuUsage(); const t = performance.now(); const d = parseCsv(buf, {}); const c = process.cpuUsage(c0); console.log('parse wall', (performance.now() - t).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0), d.nRows); }
