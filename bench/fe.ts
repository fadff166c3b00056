// Benchmark: two-way FE and 2SLS on a generated 1,000,000-row panel (100,000 units x 10
// years, 5 regressors, clustered by unit), from the CSV file to standard errors.
// Run: npx tsx bench/fe.ts [units] [years]
// (`bench/fe.ts --once <csv>` is the single whole-process run that the benchmark times.)
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRng } from '../src/econ/rng.js';
import { loadCsvTable } from '../src/nodes/load-csv.js';
import { fitFeModel } from '../src/nodes/fe.js';
import { fitIvModel } from '../src/nodes/iv.js';

const FE_SPEC = {
  y: 'y', x: ['x1', 'x2', 'x3', 'x4', 'x5'], fe: ['id', 'year'], panel: { id: 'id', time: 'year' },
  vcov: { cluster: 'id', convention: 'stata-xtreg' },
} as never;

if (process.argv[2] === '--once') {
  // one whole process, file to standard errors (performance.now() counts from process start)
  const t0 = performance.now();
  const table = loadCsvTable(process.argv[3], { delimiter: ',' });
  const t1 = performance.now();
  const m = fitFeModel(table, FE_SPEC) as { coefficients: { std_error: number }[] };
  const t2 = performance.now();
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ startup: t0, load: t1 - t0, fit: t2 - t1, se: m.coefficients[0].std_error, cpu: (cpu.user + cpu.system) / 1000, rssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

const units = Number(process.argv[2] ?? 100_000);
const years = Number(process.argv[3] ?? 10);
const N = units * years;

function generate(path: string): void {
  const rng = makeRng(20261128);
  const beta = [0.5, -0.3, 0.2, 0.1, -0.4];
  const ue = Float64Array.from({ length: units }, () => rng.normal());
  const te = Float64Array.from({ length: years }, () => rng.normal());
  const chunks: string[] = ['id,year,y,x1,x2,x3,x4,x5,z\n'];
  let buf = '';
  for (let i = 0; i < units; i++) {
    for (let t = 0; t < years; t++) {
      const z = rng.normal() + 0.3 * ue[i];
      const v = rng.normal();
      const x = [0.8 * z + v + 0.5 * ue[i] + te[t], ...Array.from({ length: 4 }, () => rng.normal() + 0.5 * ue[i] - 0.2 * te[t])];
      let y = ue[i] + te[t] + 0.5 * v + rng.normal();
      for (let k = 0; k < 5; k++) y += beta[k] * x[k];
      buf += `${i + 1},${2001 + t},${y.toFixed(6)},${x.map((a) => a.toFixed(6)).join(',')},${z.toFixed(6)}\n`;
    }
    if (buf.length > 1 << 20) { chunks.push(buf); buf = ''; }
  }
  chunks.push(buf);
  writeFileSync(path, chunks.join(''));
}

const dir = mkdtempSync(join(tmpdir(), 'flow-bench-'));
const file = join(dir, 'panel.csv');
try {
  let t = performance.now();
  generate(file);
  console.log(`generated ${N.toLocaleString()} rows (${(statSync(file).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

  // 1. The whole process, as a user runs it: node starts, reads the file, fits, prints.
  // (bundled to plain JS under node_modules/.cache so that packages resolve; no tsx at run time)
  const cacheDir = fileURLToPath(new URL('../node_modules/.cache/flow-bench/', import.meta.url));
  mkdirSync(cacheDir, { recursive: true });
  const bundle = join(cacheDir, 'fe.mjs');
  const { build } = await import('esbuild');
  await build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, packages: 'external', platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
  const runs: { wall: number; startup: number; load: number; fit: number; cpu: number; rssMB: number }[] = [];
  for (let r = 0; r < 3; r++) {
    const w0 = performance.now();
    const out = JSON.parse(execFileSync(process.execPath, [bundle, '--once', file], { encoding: 'utf8' }));
    runs.push({ wall: performance.now() - w0, ...out });
  }
  const best = runs.reduce((a, b) => (b.wall < a.wall ? b : a));
  console.log('whole process: node fe.mjs --once panel.csv (load-csv + two-way FE, cluster(id)), best of 3');
  console.log(`  wall ${best.wall.toFixed(0)} ms (node start + module loading ${best.startup.toFixed(0)}, load-csv ${best.load.toFixed(0)}, fit ${best.fit.toFixed(0)}), CPU ${best.cpu.toFixed(0)} ms, peak RSS ${best.rssMB.toFixed(0)} MB; all runs: ${runs.map((r) => r.wall.toFixed(0)).join(', ')} ms\n`);

  // 2. The phases, in this process.
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const table = loadCsvTable(file, { delimiter: ',' });
  const load = performance.now() - t0;
  const timings: Record<string, number> = {};
  const t1 = performance.now();
  const fe = fitFeModel(table, FE_SPEC, { timings }) as { coefficients: { term: string; estimate: number; std_error: number }[] };
  const fit = performance.now() - t1;
  const total = load + fit;
  const cpu = process.cpuUsage(c0);

  const ivTimings: Record<string, number> = {};
  const t2 = performance.now();
  const iv = fitIvModel(table, {
    y: 'y', endog: ['x1'], exog: ['x2', 'x3', 'x4', 'x5'], instruments: ['z'], fe: ['id', 'year'],
    panel: { id: 'id', time: 'year' }, vcov: { cluster: 'id', convention: 'stata-xtreg' },
  } as never, { timings: ivTimings }) as { coefficients: { term: string; estimate: number; std_error: number }[]; stats: Record<string, unknown> };
  const ivTotal = performance.now() - t2;

  const ms = (x: number | undefined) => `${(x ?? 0).toFixed(0).padStart(6)} ms`;
  const rps = (x: number) => `${(N / (x / 1000) / 1e6).toFixed(2)} M rows/s`;
  console.log('two-way FE, cluster(id), 5 regressors');
  console.log(`  load CSV      ${ms(load)}   ${rps(load)}`);
  console.log(`  extract       ${ms(timings.extract)}`);
  console.log(`  demean        ${ms(timings.demean)}`);
  console.log(`  solve         ${ms(timings.solve)}`);
  console.log(`  variance      ${ms(timings.variance)}`);
  console.log(`  fit total     ${ms(fit)}   ${rps(fit)}`);
  console.log(`  file -> SEs   ${ms(total)}   ${rps(total)}   (CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)`);
  console.log('2SLS (x1 instrumented by z), two-way FE, cluster(id), all diagnostics');
  console.log(`  extract       ${ms(ivTimings.extract)}`);
  console.log(`  demean        ${ms(ivTimings.demean)}`);
  console.log(`  solve         ${ms(ivTimings.solve)}`);
  console.log(`  variance      ${ms(ivTimings.variance)}`);
  console.log(`  diagnostics   ${ms(ivTimings.diagnostics)}`);
  console.log(`  total         ${ms(ivTotal)}   ${rps(ivTotal)}`);
  console.log(`peak RSS        ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(`\nFE  x1 = ${fe.coefficients[0].estimate.toFixed(4)} (${fe.coefficients[0].std_error.toFixed(4)})  [true 0.5, OLS biased by the endogeneity]`);
  console.log(`IV  x1 = ${iv.coefficients[0].estimate.toFixed(4)} (${iv.coefficients[0].std_error.toFixed(4)})  kp_f = ${Number(iv.stats.kp_f).toFixed(1)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
