// Engine benchmark (not a test): npx tsx bench/engine.ts
//   1. cold run of a generated 200-node workflow of trivial nodes: scheduler overhead per node
//   2. warm no-op run of the same (everything cached): time per cached node, in-process
//      and as a whole `flow run` process (needs `npm run build`)
//   3. planning time (load + validate + expand) of a 10,000-branch matrix
import { mkdtempSync, writeFileSync, copyFileSync, symlinkSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { lastValueFrom, toArray } from 'rxjs';
import { loadWorkflow, type NodeCatalog } from '../src/graph/load.js';
import { buildPlan } from '../src/graph/plan.js';
import { run } from '../src/graph/scheduler.js';
import { Store } from '../src/graph/store.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const none: NodeCatalog = { get: () => undefined, all: () => [] };

const made: string[] = [];
process.on('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

function project(files: Record<string, object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'flow-bench-'));
  made.push(dir);
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  copyFileSync(join(REPO, 'test/graph/fixtures/nodes.js'), join(dir, 'nodes.js'));
  for (const [p, c] of Object.entries(files)) writeFileSync(join(dir, p), JSON.stringify(c));
  return dir;
}

/** 200 nodes in 20 layers of 10; each node adds two nodes of the layer above. */
function layered(n = 200, width = 10) {
  const nodes: Record<string, object> = {};
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / width);
    nodes[`n${i}`] = layer === 0
      ? { uses: 't-const', with: { value: i } }
      : { uses: 't-add', with: { offset: i }, in: { xs: [`n${(layer - 1) * width + (i % width)}.out`, `n${(layer - 1) * width + ((i + 1) % width)}.out`] } };
  }
  return { plugins: ['./nodes.js'], params: {}, nodes };
}

async function timeRun(dir: string, file = 'wf.json') {
  const t0 = performance.now();
  const plan = buildPlan(await loadWorkflow(join(dir, file), none));
  const t1 = performance.now();
  const ev = await lastValueFrom(run(plan, { store: new Store(join(dir, 'cache')) }).pipe(toArray()));
  const t2 = performance.now();
  const s = (ev.at(-1) as any).summary;
  return { plan: t1 - t0, run: t2 - t1, ran: s.ran.length, hit: s.hit.length };
}

const rows: [string, string, string][] = [];
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

const dir = project({ 'wf.json': layered() });
const cold = await timeRun(dir);
rows.push(['cold run, 200 trivial nodes (in-process)', ms(cold.run), `${ms(cold.run / 200)} per node (ran ${cold.ran})`]);
const warms = [];
for (let i = 0; i < 5; i++) warms.push(await timeRun(dir));
const warm = warms.sort((a, b) => a.run - b.run)[2];
rows.push(['warm no-op run, 200 nodes (in-process, median of 5)', ms(warm.run), `${ms(warm.run / 200)} per cached node (hit ${warm.hit})`]);
rows.push(['planning the 200-node workflow (load + validate)', ms(warm.plan), '']);

if (existsSync(join(REPO, 'dist/cli/main.js'))) {
  const cli = () => { const t = performance.now(); spawnSync(process.execPath, [join(REPO, 'bin/flow.js'), 'run', 'wf.json'], { cwd: dir }); return performance.now() - t; };
  cli(); // builds the plan cache
  const times = Array.from({ length: 5 }, cli).sort((a, b) => a - b);
  rows.push(['warm `flow run` whole process, 200 nodes (median of 5)', ms(times[2]), `${ms(times[2] / 200)} per cached node, start-up included`]);
}

// 10,000 branches: 4 params x 10 values; two nodes depend on one param each, the rest on all
const values = Array.from({ length: 10 }, (_, i) => i + 1);
const mdir = project({
  'base.json': {
    plugins: ['./nodes.js'], params: { a: 1, b: 1, c: 1, d: 1 },
    nodes: {
      shared: { uses: 't-const', with: { value: 1 } },
      xa: { uses: 't-const', with: { value: '$a' } },
      xb: { uses: 't-add', with: { offset: '$b' }, in: { xs: ['shared.out'] } },
      fit: { uses: 't-add', with: { offset: '$c' }, in: { xs: ['xa.out', 'xb.out'] } },
      m: { uses: 't-model', in: { x: 'fit.out' } },
      adj: { uses: 't-add', with: { offset: '$d' }, in: { xs: ['fit.out'] } },
    },
  },
  'mv.json': { extends: 'base.json', matrix: { a: values, b: values, c: values, d: values }, nodes: { curve: { uses: 't-gather', in: { models: 'm.model[*]' } } } },
});
const tp = performance.now();
const mplan = buildPlan(await loadWorkflow(join(mdir, 'mv.json'), none));
const planMs = performance.now() - tp;
rows.push(['planning a 10,000-branch matrix (4 params x 10 values)', ms(planMs), `${mplan.nodes.size} node copies (shared nodes planned once)`]);

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${'measure'.padEnd(w)} | ${'time'.padStart(9)} | note`);
console.log(`${'-'.repeat(w)}-|-${'-'.repeat(9)}-|-----`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w)} | ${b.padStart(9)} | ${c}`);
