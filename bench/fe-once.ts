// One whole process, file to standard errors: load-csv, then two-way FE clustered by
// unit. bench/fe.ts bundles this file and times `node bundle.mjs <csv>` end to end.
import { loadCsvTable } from '../src/nodes/load-csv.js';
import { fitFeModel } from '../src/nodes/fe.js';

const t0 = performance.now();
const table = loadCsvTable(process.argv[2], { delimiter: ',' });
const t1 = performance.now();
const m = fitFeModel(table, {
  y: 'y', x: ['x1', 'x2', 'x3', 'x4', 'x5'], fe: ['id', 'year'], panel: { id: 'id', time: 'year' },
  vcov: { cluster: 'id', convention: 'stata-xtreg' },
} as never) as { coefficients: { std_error: number }[] };
const t2 = performance.now();
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ load: t1 - t0, fit: t2 - t1, se: m.coefficients[0].std_error, cpu: (cpu.user + cpu.system) / 1000, rssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
