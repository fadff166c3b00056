// Real races, bounded in count and time, randomness seeded: a data file swapped (atomic
// rename) while nodes read it; gc in a loop during runs; exports killed part-way followed by a
// run of another variant; two variants exported into one folder at once.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { project, flow, flowAsync, runIn, FLOW } from '../graph/helpers.js';
import { Store } from '../../src/graph/store.js';
import { ensureBuilt } from '../cli/build.js';

beforeAll(() => ensureBuilt(), 180_000);

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
/** mulberry32: a small seeded generator (uniform in [0, 1)) */
function rng(seed: number) {
  return () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = (r: { code: number | null; stderr: string }) => { expect(r.code, r.stderr).toBe(0); return r; };

/** A child process running `script` (node -e) until killed, or `maxMs` at most. */
function background(script: string, cwd: string, maxMs: number): ChildProcess {
  const c = spawn(process.execPath, ['-e', script], { cwd, stdio: 'ignore' });
  const t = setTimeout(() => c.kill('SIGKILL'), maxMs);
  c.on('exit', () => clearTimeout(t));
  return c;
}
const stop = (c: ChildProcess) => new Promise<void>((r) => { if (c.exitCode !== null || c.signalCode) r(); else { c.once('exit', () => r()); c.kill('SIGKILL'); } });

/** The files of an out folder (its own bookkeeping aside) and their bytes. */
function folder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.flow-')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p); else out[relative(dir, p)] = sha(readFileSync(p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

describe('a data file swapped while nodes read it', () => {
  it('never caches a result under the other content\'s key (40 swapping runs)', async () => {
    const A = 'A'.repeat(50_000), B = 'B'.repeat(50_000); // same size
    const dir = project({
      'data/in.txt': A,
      'wf.json': { plugins: ['./slow.js'], nodes: { f: { uses: 't-slowread', with: { path: 'data/in.txt' } } } },
      // waits before reading: a swap lands between the key and the read
      'slow.js': `import { z } from 'zod';
export const slowRead = { type: 't-slowread', version: 1, description: 'reads its file after 15 ms',
  params: z.object({ path: z.string() }), inputs: {}, outputs: { out: { type: 'json' } }, files: (p) => [p.path],
  run: async (ctx) => { await new Promise((r) => setTimeout(r, 15)); return { out: ctx.readFile(ctx.params.path).toString() }; } };`,
    });
    // the swapper: A and B in turn, each written beside and renamed over data/in.txt, at seeded
    // intervals of 20-100 ms: a file often stays from one run's hashing to the next one's stat (a
    // stat cache hit) and is swapped while the node waits to read it
    const swapper = background(`
      const fs = require('fs'); let s = 7, i = 0;
      const next = () => { s = (s * 48271) % 2147483647; return 20 + (s % 80); };
      const tick = () => { const t = 'data/.swap'; fs.writeFileSync(t, (i++ % 2 ? 'A' : 'B').repeat(50000)); fs.renameSync(t, 'data/in.txt'); setTimeout(tick, next()); };
      tick();`, dir, 30_000);
    const store = new Store(join(dir, 'cache'));
    let poisoned = 0;
    try {
      await sleep(50);
      // after each run, the record it wrote: the content it holds must be that of its key's file hash
      for (let i = 0; i < 40; i++) {
        const r = await runIn(dir, 'wf.json', { force: ['f'] });
        const key = (r.events.find((e) => e.type === 'ran') as { key: string }).key;
        const rec = store.getRecord(key)!;
        const out = JSON.parse(readFileSync(store.objectPath(rec.outputs.out.hash), 'utf8')) as string;
        if (sha(out) !== rec.fingerprint.files['data/in.txt']) poisoned++;
      }
    } finally { await stop(swapper); }
    expect(poisoned).toBe(0);
  }, 60_000);
});

// many outputs that depend on delta, so that an export takes a while and can be cut short
const manyOutputs = {
  plugins: ['./nodes.js'],
  params: { delta: 0.09 },
  nodes: {
    ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, { uses: 't-table', with: { n: 12000 + i, mult: '$delta' } }])),
    c: { uses: 't-const', with: { value: 100 } },
    s: { uses: 't-scale', with: { delta: '$delta' }, in: { x: 'c.out' } },
    rep: { uses: 't-report', with: { files: { 'rep.md': 'delta' } }, in: { x: 's.out' } },
  },
};

describe('the out folder', () => {
  it('an export killed at seeded moments, then a run of another variant: the folder equals a clean run\'s (8 kills)', async () => {
    const dir = project({ 'wf.json': manyOutputs });
    ok(flow(['run', 'wf.json', '--out', 'ref', '--set', 'delta=0.096'], dir));
    ok(flow(['run', 'wf.json', '--no-out'], dir)); // both variants cached: the kills land in the export
    const ref = folder(join(dir, 'ref'));
    expect(Object.keys(ref).length).toBe(16 + 2 + 2); // tables, c and s, the report and its file
    const rand = rng(16);
    let interrupted = 0;
    for (let k = 0; k < 8; k++) {
      const c = spawn(process.execPath, [FLOW, 'run', 'wf.json', '--out', 'o'], { cwd: dir, stdio: 'ignore' });
      const died = new Promise((r) => c.once('exit', r));
      await sleep(200 + rand() * 400);
      c.kill('SIGKILL');
      await died;
      if (existsSync(join(dir, 'o/.flow-out.incomplete'))) interrupted++;
      ok(flow(['run', 'wf.json', '--out', 'o', '--set', 'delta=0.096'], dir));
      expect(folder(join(dir, 'o'))).toEqual(ref);
      expect(existsSync(join(dir, 'o/.flow-out.incomplete'))).toBe(false);
    }
    expect(interrupted).toBeGreaterThan(0); // some kills did land in the middle of an export
  }, 60_000);

  it('an export that fails on one file (an I/O error) is not trusted by the next run of another variant', () => {
    const dir = project({ 'wf.json': manyOutputs });
    ok(flow(['run', 'wf.json', '--out', 'ref', '--set', 'delta=0.096'], dir));
    ok(flow(['run', 'wf.json', '--out', 'o', '--set', 'delta=0.096'], dir));
    // a directory where t9's file goes: the export of delta 0.09 fails part-way
    rmSync(join(dir, 'o/t9.table.csv'));
    mkdirSync(join(dir, 'o/t9.table.csv/blocked'), { recursive: true });
    const r = flow(['run', 'wf.json', '--out', 'o'], dir);
    expect(r.code).not.toBe(0);
    expect(existsSync(join(dir, 'o/.flow-out.incomplete'))).toBe(true);
    rmSync(join(dir, 'o/t9.table.csv'), { recursive: true });
    ok(flow(['run', 'wf.json', '--out', 'o', '--set', 'delta=0.096'], dir));
    expect(folder(join(dir, 'o'))).toEqual(folder(join(dir, 'ref')));
  }, 30_000);

  it('two runs with different params into one folder at once never leave it mixed (5 rounds)', async () => {
    const dir = project({ 'wf.json': manyOutputs });
    ok(flow(['run', 'wf.json', '--out', 'ref9'], dir));
    ok(flow(['run', 'wf.json', '--out', 'ref96', '--set', 'delta=0.096'], dir));
    const refs = [folder(join(dir, 'ref9')), folder(join(dir, 'ref96'))];
    for (let k = 0; k < 5; k++) {
      const [a, b] = await Promise.all([flowAsync(['run', 'wf.json', '--out', 'c'], dir), flowAsync(['run', 'wf.json', '--out', 'c', '--set', 'delta=0.096'], dir)]);
      ok(a); ok(b);
      const got = folder(join(dir, 'c'));
      const which = refs.findIndex((f) => JSON.stringify(f) === JSON.stringify(got));
      expect(which, 'the folder matches one variant').toBeGreaterThanOrEqual(0);
      const m = JSON.parse(readFileSync(join(dir, 'c/.flow-out.json'), 'utf8'));
      expect(m.sets).toEqual(which === 0 ? {} : { delta: 0.096 }); // and its manifest says which
    }
  }, 60_000);
});

describe('gc during runs', () => {
  it('gc in a loop during 10 runs: every run exits 0 with complete outputs', async () => {
    const dir = project({ 'wf.json': manyOutputs });
    ok(flow(['run', 'wf.json', '--out', 'ref9', '--no-out'], dir));
    ok(flow(['run', 'wf.json', '--out', 'ref9'], dir));
    ok(flow(['run', 'wf.json', '--out', 'ref96', '--set', 'delta=0.096'], dir));
    const refs = [folder(join(dir, 'ref9')), folder(join(dir, 'ref96'))];
    // gc that keeps nothing (--keep 0m), again and again
    const gc = background(`
      const { spawnSync } = require('child_process');
      const end = Date.now() + 40000;
      while (Date.now() < end) spawnSync(process.execPath, [${JSON.stringify(FLOW)}, 'cache', 'gc', '--keep', '0m'], { stdio: 'ignore' });`, dir, 45_000);
    try {
      for (let k = 0; k < 10; k++) {
        const v = k % 2;
        const r = await flowAsync(['run', 'wf.json', '--out', 'o', ...(v ? ['--set', 'delta=0.096'] : [])], dir);
        ok(r);
        expect(folder(join(dir, 'o'))).toEqual(refs[v]);
      }
    } finally { await stop(gc); }
    ok(flow(['cache', 'verify'], dir));
  }, 90_000);
});
