// County-scale spatial benchmark (issue 13): SDM with two-way FE and LeSage-Pace effects
// (1000 draws), 10-NN W, T = 10, N = 1,000 / 5,000 / 20,000, as whole `flow run` processes
// from CSV (load-csv x2 -> w-matrix knn -> sdm), median of 3 fresh processes each, wall clock
// and peak RSS (GNU time). R's splm on the same panel and W (triplets written by flow) where
// it finishes in reasonable time; above SPLM_MAX_N it is skipped with the number measured
// once by hand. Run: npx tsx bench/spatial-scale.ts [--sizes 1000,5000,20000] [--reps 3] [--splm-max N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateSdmPanel } from '../src/econ/spatial/simulate.js';
import { buildWeightMatrix } from '../src/econ/spatial/weights.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FLOW = join(REPO, 'bin/flow.js');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const SIZES = opt('--sizes', '1000,5000,20000').split(',').map(Number);
const REPS = Number(opt('--reps', '3'));
const SPLM_MAX_N = Number(opt('--splm-max', '1000'));
const T = 10, K = 10;
// measured once by hand on this 2-core machine (shared with other jobs), N = 5,000, T = 10
const SPLM_BY_HAND: Record<number, string> = { 5000: 'splm fit only: 538 s wall / 1.4 GB, measured by hand 2026-12-04 (niced, machine shared); an earlier run took 293 s / 1.8 GB' };

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const made: string[] = [];
process.on('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

interface Run { wall: number; rssMb: number; ok: boolean; out: string }

/** One process, wall clock, and its peak RSS through GNU time (-f %M, in KB). */
function timed(cmd: string, argv: string[], cwd: string): Run {
  const full = GNU_TIME ? [GNU_TIME, ['-f', 'RSS_KB %M', cmd, ...argv]] as const : [cmd, argv] as const;
  const t0 = performance.now();
  const r = spawnSync(full[0], [...full[1]], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = performance.now() - t0;
  const m = /RSS_KB (\d+)/.exec(r.stderr ?? '');
  return { wall, rssMb: m ? Number(m[1]) / 1024 : NaN, ok: r.status === 0, out: (r.stdout ?? '') + (r.status === 0 ? '' : (r.stderr ?? '').slice(-800)) };
}

function median(xs: number[]) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

function writeInputs(dir: string, n: number) {
  const sim = simulateSdmPanel({ n, T, k: K, rho: 0.4, beta: [1, -0.5], theta: [0.5, 0.3], sigma: 1, seed: 20261128 });
  const rows = ['id,year,y,x1,x2'];
  for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) {
    const r = t * n + i;
    rows.push(`${sim.ids[i]},${2001 + t},${sim.y[r].toPrecision(17)},${sim.X[0][r].toPrecision(17)},${sim.X[1][r].toPrecision(17)}`);
  }
  writeFileSync(join(dir, 'panel.csv'), rows.join('\n') + '\n');
  writeFileSync(join(dir, 'units.csv'), ['id,lat,lon', ...sim.ids.map((id, i) => `${id},${sim.lat[i].toPrecision(17)},${sim.lon[i].toPrecision(17)}`)].join('\n') + '\n');
  // the same W for R, as triplets
  const w = buildWeightMatrix({ ids: sim.ids, lat: sim.lat, lon: sim.lon }, { method: 'knn', k: K, power: 1, standardize: 'row' }).sparse!;
  const tr = ['i,j,w'];
  for (let i = 0; i < n; i++) for (let p = w.rowPtr[i]; p < w.rowPtr[i + 1]; p++) tr.push(`${sim.ids[i]},${sim.ids[w.col[p]]},${w.val[p]}`);
  writeFileSync(join(dir, 'w.csv'), tr.join('\n') + '\n');
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  writeFileSync(join(dir, 'sdm.json'), JSON.stringify({
    nodes: {
      panel: { uses: 'load-csv', with: { path: 'panel.csv' } },
      units: { uses: 'load-csv', with: { path: 'units.csv' } },
      w: { uses: 'w-matrix', with: { method: 'knn', k: K, id: 'id' }, in: { units: 'units.table' } },
      sdm: {
        uses: 'sdm',
        with: { y: 'y', x: ['x1', 'x2'], fe: 'twoways', panel: { id: 'id', time: 'year' }, effects: { draws: 1000, seed: 1 } },
        in: { data: 'panel.table', w: 'w.matrix' },
      },
    },
  }, null, 2));
}

const hasR = spawnSync('Rscript', ['-e', 'suppressMessages(library(splm))'], { encoding: 'utf8' }).status === 0;
console.log(`SDM two-way FE + effects (1000 draws), ${K}-NN W, T = ${T}; whole processes from CSV, median of ${REPS}; `
  + `machine shared with other jobs (load average ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ')})`);
const results: { n: number; wall: number; rss: number; splm: string; logdet: string }[] = [];
for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), `flow-bench-scale-${n}-`));
  if (!args.includes('--keep')) made.push(dir); else console.log(`inputs kept in ${dir}`);
  writeInputs(dir, n);
  const runs: Run[] = [];
  for (let r = 0; r < REPS; r++) {
    const cache = mkdtempSync(join(tmpdir(), 'flow-bench-cache-'));
    made.push(cache);
    const run = timed(process.execPath, [FLOW, 'run', 'sdm.json', '--cache', cache, '--no-out', '--json'], dir);
    if (!run.ok) { console.log(`N = ${n}: flow run failed:\n${run.out}`); break; }
    runs.push(run);
  }
  let splm = 'R / splm not installed';
  if (hasR && n <= SPLM_MAX_N) {
    const r = timed('Rscript', [join(REPO, 'bench/splm-sdm.R'), dir], dir);
    splm = r.ok ? `${(r.wall / 1000).toFixed(1)} s / ${r.rssMb.toFixed(0)} MB (${r.out.trim().split('\n').join('; ')})` : `failed: ${r.out.slice(-300)}`;
  } else if (hasR) {
    splm = `skipped above ${SPLM_MAX_N} units (${SPLM_BY_HAND[n] ?? 'too slow: dense n x n inside splm'}; --splm-max N to run it)`;
  }
  const cache = mkdtempSync(join(tmpdir(), 'flow-bench-cache-'));
  made.push(cache);
  const out = join(dir, 'out');
  spawnSync(process.execPath, [FLOW, 'run', 'sdm.json', '--cache', cache, '--out', out], { cwd: dir, encoding: 'utf8' });
  let logdet = '';
  try { const m = JSON.parse(readFileSync(join(out, 'sdm.model.json'), 'utf8')); logdet = `rho ${m.stats.rho.toFixed(4)}, ${m.stats.logdet_method.split(' (')[0].split(':')[0]}, bound ${Number(m.stats.logdet_error_bound).toExponential(1)}`; } catch { logdet = '(model JSON not found in the out folder)'; }
  if (runs.length) {
    const r = { n, wall: median(runs.map((x) => x.wall)), rss: median(runs.map((x) => x.rssMb)), splm, logdet };
    results.push(r);
    console.log(`N = ${String(n).padStart(6)}: flow ${(r.wall / 1000).toFixed(2).padStart(6)} s, ${r.rss.toFixed(0).padStart(5)} MB peak RSS | ${splm}\n             ${logdet}`);
  }
}
const at = (n: number) => results.find((r) => r.n === n)?.wall;
const ratio = (a: number, b: number) => (at(a) && at(b) ? (at(b)! / at(a)!).toFixed(2) : 'n/a');
console.log(`cost growth: t(5000)/t(1000) = ${ratio(1000, 5000)}, t(20000)/t(5000) = ${ratio(5000, 20000)} (x5 and x4 in N)`);
