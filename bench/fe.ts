// Benchmark: where the time of two-way FE from a CSV file to clustered SEs goes, phase by
// phase, in fresh processes doing what `flow run` does for load-csv -> fe (the engine's
// own read-and-hash, the parse, the table's cache bytes and their sha256, decoding them
// for the fe node, the fit), with wall time, CPU time (all threads) and page faults per
// phase; then 2SLS on the same kind of panel, in this process.
// Run: npx tsx bench/fe.ts [1m|10m]   (the panels are kept in node_modules/.cache/flow-bench)
// (`bench/fe.ts --phases <csv>` is the single whole-process run that the benchmark times.)
import { existsSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { loadCsvTable } from '../src/nodes/load-csv.js';
import { fitFeModel } from '../src/nodes/fe.js';
import { fitIvModel } from '../src/nodes/iv.js';
import { hashPathKeep } from '../src/graph/hash.js';
import { decode } from '../src/graph/codec.js';
import { feProjectDir, writeFeProject, writeFePanel, PANEL_FORMAT } from './data.js';
import { median } from './fe-vs-fixest.js';

const FE_SPEC = {
  y: 'y', x: ['x1', 'x2', 'x3', 'x4', 'x5'], fe: ['id', 'year'], panel: { id: 'id', time: 'year' },
  vcov: { cluster: 'id', convention: 'stata-xtreg' },
} as never;

interface Phase { wall: number; cpu: number; faults: number }

if (process.argv[2] === '--phases') {
  // one fresh process (performance.now() counts from process start: node start-up + module loading)
  const startup = performance.now();
  const phases: Record<string, Phase> = { 'start-up and modules': { wall: startup, cpu: cpuMs(), faults: process.resourceUsage().minorPageFault } };
  let mark = { t: startup, cpu: cpuMs(), faults: process.resourceUsage().minorPageFault };
  const lap = (name: string) => {
    const now = { t: performance.now(), cpu: cpuMs(), faults: process.resourceUsage().minorPageFault };
    phases[name] = { wall: now.t - mark.t, cpu: now.cpu - mark.cpu, faults: now.faults - mark.faults };
    mark = now;
  };
  const csv = process.argv[3];
  const keep = new Map<string, Buffer>();
  await hashPathKeep(csv, {}, { value: false }, keep);
  lap('read + sha256 of the file (engine)');
  const table = loadCsvTable(csv, { delimiter: ',' }, csv, () => keep.get(csv)!);
  keep.clear();
  lap('parse (load-csv)');
  const bytes = table.toArrowIPC();
  createHash('sha256').update(bytes).digest('hex');
  lap('table cache bytes + sha256 (store)');
  const data = await decode('table', bytes) as typeof table;
  lap('decode for fe (engine)');
  const timings: Record<string, number> = {};
  const m = fitFeModel(data, FE_SPEC, { timings }) as { coefficients: { std_error: number }[] };
  lap('fit (fe)');
  process.stdout.write(JSON.stringify({ phases, timings, se: m.coefficients[0].std_error, rssMB: process.resourceUsage().maxRSS / 1024, artifactMB: bytes.byteLength / 1e6 }) + '\n');
  process.exit(0);
}

function cpuMs(): number { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }

const size = (process.argv[2] ?? '1m').toLowerCase();
const units = size === '10m' ? 1_000_000 : 100_000, years = 10, N = units * years;
const keepDir = fileURLToPath(new URL('../node_modules/.cache/flow-bench/', import.meta.url));
mkdirSync(keepDir, { recursive: true });
const { csv } = writeFeProject(feProjectDir(keepDir, { units, years }), { units, years });

// 1. Whole processes, phase by phase (bundled with its packages as bin/build.js bundles flow,
// so that start-up compares; no tsx at run time)
const bundle = join(keepDir, 'fe-phases.mjs');
const { build } = await import('esbuild');
await build({
  entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'silent',
  external: ['esbuild', '@viz-js/viz'], minifyWhitespace: true, minifySyntax: true,
  banner: { js: "import { createRequire as __flowRequire } from 'node:module'; const require = __flowRequire(import.meta.url);" },
});
const runs = Array.from({ length: 3 }, () => JSON.parse(execFileSync(process.execPath, [bundle, '--phases', csv], { encoding: 'utf8', maxBuffer: 1 << 20 })));
const names = Object.keys(runs[0].phases);
const med = (f: (r: typeof runs[number]) => number) => median(runs.map(f));
const row = (name: string, p: (r: typeof runs[number]) => Phase | undefined) =>
  `| ${name} | ${med((r) => p(r)!.wall).toFixed(0)} | ${med((r) => p(r)!.cpu).toFixed(0)} | ${med((r) => p(r)!.faults).toLocaleString('en-US')} |`;
console.log(`two-way FE, cluster(id), 5 regressors, ${N.toLocaleString('en-US')} rows: one fresh process doing flow's work for load-csv -> fe (median of 3)`);
console.log('| phase | wall ms | CPU ms (all threads) | page faults |\n|---|---|---|---|');
for (const nm of names) console.log(row(nm, (r) => r.phases[nm]));
console.log(`fit (fe) in parts: ${['extract', 'sample', 'demean', 'solve', 'variance'].map((k) => `${k} ${med((r) => r.timings[k] ?? 0).toFixed(0)} ms`).join(', ')}`);
console.log(`peak RSS ${med((r) => r.rssMB).toFixed(0)} MB; the table's cache bytes ${runs[0].artifactMB.toFixed(0)} MB (flow run also writes them to the cache, in the background)`);
console.log(`(a page fault here costs ~2-3 us: fresh memory is ~0.7 ms per MB)\n`);

// 2. 2SLS with all diagnostics, in this process (x1 instrumented by z)
if (size === '1m') {
  const ivCsv = join(keepDir, `iv-panel-v${PANEL_FORMAT}-${units}x${years}.csv`);
  if (!existsSync(ivCsv)) writeFePanel(ivCsv, { units, years, instrument: true });
  const table = loadCsvTable(ivCsv, { delimiter: ',' });
  const ivTimings: Record<string, number> = {};
  const t2 = performance.now();
  const iv = fitIvModel(table, {
    y: 'y', endog: ['x1'], exog: ['x2', 'x3', 'x4', 'x5'], instruments: ['z'], fe: ['id', 'year'],
    panel: { id: 'id', time: 'year' }, vcov: { cluster: 'id', convention: 'stata-xtreg' },
  } as never, { timings: ivTimings }) as { coefficients: { term: string; estimate: number; std_error: number }[]; stats: Record<string, unknown> };
  const ivTotal = performance.now() - t2;
  const ms = (x: number | undefined) => `${(x ?? 0).toFixed(0).padStart(6)} ms`;
  console.log('2SLS (x1 instrumented by z), two-way FE, cluster(id), all diagnostics, 1M rows, in this process');
  for (const k of ['extract', 'demean', 'solve', 'variance', 'diagnostics']) console.log(`  ${k.padEnd(12)} ${ms(ivTimings[k])}`);
  console.log(`  total        ${ms(ivTotal)}`);
  console.log(`IV  x1 = ${iv.coefficients[0].estimate.toFixed(4)} (${iv.coefficients[0].std_error.toFixed(4)})  [true 0.5]  kp_f = ${Number(iv.stats.kp_f).toFixed(1)}`);
}
