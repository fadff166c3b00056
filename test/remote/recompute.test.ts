// `flow cache verify --recompute N`: re-runs a seeded sample of records and compares output
// hashes. A real workflow of built-in node types (load-csv reads files, append has sources in
// its key, derive and filter take inputs) runs into a local cache; a plugin node is skipped
// (not in this build's catalogue); a poisoned record (an output replaced by other valid bytes,
// the record's hash fixed to match) is DIFFERENT; a changed file is skipped.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { project, flow, jsonLines } from '../graph/helpers.js';
import { Store, type CacheRecord } from '../../src/graph/store.js';
import { ensureBuilt } from '../cli/build.js';

beforeAll(() => ensureBuilt(), 180_000);

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const wf = {
  plugins: ['./nodes.js'],
  nodes: {
    north: { uses: 'load-csv', with: { path: 'data/one.csv' } },
    south: { uses: 'load-csv', with: { path: 'data/two.csv' } },
    stacked: { uses: 'append', in: { tables: ['north.table', 'south.table'] }, with: { source: 'from' } },
    doubled: { uses: 'derive', in: { table: 'stacked.table' }, with: { columns: { w: 'd => d.v * 2' } } },
    big: { uses: 'filter', in: { table: 'doubled.table' }, with: { where: 'd => d.w > 3' } },
    k: { uses: 't-const', with: { value: 2 } },
  },
};
const TYPES: Record<string, string> = { north: 'load-csv', south: 'load-csv', stacked: 'append', doubled: 'derive', big: 'filter', k: 't-const' };

/** A project with the workflow run once: its dir and node -> key. */
function ranProject(): { dir: string; keys: Record<string, string> } {
  const dir = project({ 'wf.json': wf, 'data/one.csv': 'v,g\n1,a\n2,b\n', 'data/two.csv': 'v,g\n3,a\n4,b\n' });
  const r = flow(['run', 'wf.json', '--json', '--no-out'], dir);
  expect(r.code, r.stderr).toBe(0);
  const keys = Object.fromEntries(jsonLines(r.stdout).filter((e) => e.key).map((e) => [e.node, e.key]));
  expect(Object.keys(keys).sort()).toEqual(['big', 'doubled', 'k', 'north', 'south', 'stacked']);
  return { dir, keys };
}

/** The nodes a seed samples first (sha256(seed:key) order), as the command must. */
const expectedSample = (keys: Record<string, string>, n: number, seed: string) =>
  Object.entries(keys).sort(([, a], [, b]) => (sha(`${seed}:${a}`) < sha(`${seed}:${b}`) ? -1 : 1)).slice(0, n).map(([node]) => node);

/** Every file of the cache with its bytes' hash and mtime (to show nothing was written). */
function snapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => { for (const e of readdirSync(p, { withFileTypes: true })) { const f = join(p, e.name); if (e.isDirectory()) walk(f); else out[f] = `${sha(readFileSync(f))} ${statSync(f).mtimeMs}`; } };
  walk(d);
  return out;
}

const line = (node: string, key: string) => `${node} ${TYPES[node]} ${key.slice(0, 12)}`;

describe('cache verify --recompute', () => {
  it('re-runs a sample; all same; exit 0; writes nothing', () => {
    const { dir, keys } = ranProject();
    const before = snapshot(join(dir, 'cache'));
    const r = flow(['cache', 'verify', '--recompute', '5'], dir);
    expect(r.code, r.stderr).toBe(0);
    const sample = expectedSample(keys, 5, '1');
    const expected = sample.map((n) => (n === 'k'
      ? `skipped ${line(n, keys[n])}: node type t-const is not in this build's catalogue (a plugin?)`
      : `same ${line(n, keys[n])}`));
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual(expected);
    const skipped = sample.includes('k') ? 1 : 0;
    expect(lines.at(-1)).toBe(`re-ran ${5 - skipped} of 5 sampled records (of 6 in ${join(dir, 'cache')}, seed 1): ${5 - skipped} same, 0 different, 0 failed, ${skipped} skipped${skipped ? ' (1 not in this build)' : ''}`);
    expect(snapshot(join(dir, 'cache'))).toEqual(before);
  });

  it('names a poisoned record DIFFERENT, exit 1; skips a record whose file changed', () => {
    const { dir, keys } = ranProject();
    const store = new Store(join(dir, 'cache'));
    const rec: CacheRecord = JSON.parse(readFileSync(store.recordPath(keys.doubled), 'utf8'));
    const north: CacheRecord = JSON.parse(readFileSync(store.recordPath(keys.north), 'utf8'));
    // doubled's output replaced by other valid bytes (north's table), the record made consistent
    const other = store.getObject(north.outputs.table.hash);
    const put = store.putObject(other);
    const real = rec.outputs.table.hash;
    writeFileSync(store.recordPath(keys.doubled), JSON.stringify({ ...rec, outputs: { table: { hash: put.hash, type: 'table', size: put.size } } }));
    expect(flow(['cache', 'verify'], dir).stdout).toContain('cache ok'); // it looks consistent

    const r = flow(['cache', 'verify', '--recompute', '10'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`DIFFERENT ${line('doubled', keys.doubled)}: port table recorded ${put.hash.slice(0, 12)}…, now ${real.slice(0, 12)}…\n`);
    for (const n of ['north', 'south', 'stacked', 'big']) expect(r.stdout).toContain(`same ${line(n, keys[n])}\n`);
    expect(r.stdout).toContain('re-ran 5 of 6 sampled records');
    expect(r.stdout).toContain(': 4 same, 1 different, 0 failed, 1 skipped (1 not in this build)\n');

    // a file read by a record changed since: that record is skipped, not re-run
    writeFileSync(join(dir, 'data/one.csv'), 'v,g\n9,a\n');
    const c = flow(['cache', 'verify', '--recompute', '10'], dir);
    expect(c.stdout).toContain(`skipped ${line('north', keys.north)}: file data/one.csv changed since\n`);
    expect(c.stdout).toContain(`same ${line('south', keys.south)}\n`);
    expect(c.code).toBe(1); // doubled is still poisoned
  });

  it('samples the same records for the same seed, others for another seed', () => {
    const { dir, keys } = ranProject();
    const nodes = (out: string) => out.trim().split('\n').slice(0, -1).map((l) => l.split(' ')[1]);
    const a = flow(['cache', 'verify', '--recompute', '2', '--seed', '7'], dir);
    const b = flow(['cache', 'verify', '--recompute', '2', '--seed', '7'], dir);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(nodes(a.stdout)).toEqual(expectedSample(keys, 2, '7'));
    // a seed whose first two differ from seed 7's (keys change with the code, so look for one)
    const other = Array.from({ length: 50 }, (_, i) => String(i + 8)).find((s) => expectedSample(keys, 2, s).join() !== expectedSample(keys, 2, '7').join())!;
    const c = flow(['cache', 'verify', '--recompute', '2', '--seed', other], dir);
    expect(nodes(c.stdout)).toEqual(expectedSample(keys, 2, other));
    expect(nodes(c.stdout)).not.toEqual(nodes(a.stdout));
    // the default seed is 1
    expect(nodes(flow(['cache', 'verify', '--recompute', '3'], dir).stdout)).toEqual(expectedSample(keys, 3, '1'));
  });

  it('bounds N', () => {
    const { dir } = ranProject();
    for (const n of ['0', '10001', 'x', '2.5']) {
      const r = flow(['cache', 'verify', '--recompute', n], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--recompute ${n}: expected a whole number of records from 1 to 10000`);
    }
  });

  it('re-runs records of a shared cache (file://)', () => {
    const { dir, keys } = ranProject();
    const shared = pathToFileURL(join(dir, 'shared')).href;
    const r = flow(['run', 'wf.json', '--no-out', '--cache', shared, '--local-cache', join(dir, 'local2')], dir);
    expect(r.code, r.stderr).toBe(0);
    const v = flow(['cache', 'verify', '--recompute', '10', '--cache', shared, '--local-cache', join(dir, 'none')], dir);
    expect(v.code, v.stderr).toBe(0);
    for (const n of ['north', 'south', 'stacked', 'doubled', 'big']) expect(v.stdout).toContain(`same ${line(n, keys[n])}\n`);
    expect(v.stdout).toContain(`re-ran 5 of 6 sampled records (of 6 in ${shared}, seed 1): 5 same, 0 different, 0 failed, 1 skipped (1 not in this build)\n`);
  });
});
