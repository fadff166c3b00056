import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, utimesSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { project, runIn, outputOf, readLog, write } from './helpers.js';
import { Store } from '../../src/graph/store.js';

// a -> s(delta) -> r(round) -> sum <- b ; txt reads a file; independent of delta
const chain = {
  plugins: ['./nodes.js'],
  params: { delta: 0.5, step: 1 },
  nodes: {
    a: { uses: 't-const', with: { value: 3, log: 'log.txt' } },
    b: { uses: 't-const', with: { value: 10, log: 'log.txt' } },
    s: { uses: 't-scale', with: { delta: '$delta', log: 'log.txt' }, in: { x: 'b.out' } },
    r: { uses: 't-round', with: { step: '$step', log: 'log.txt' }, in: { x: 's.out' } },
    sum: { uses: 't-add', with: { log: 'log.txt' }, in: { xs: ['a.out', 'r.out'] } },
    txt: { uses: 't-read', with: { path: 'data/in.txt', log: 'log.txt' } },
  },
};

describe('caching', () => {
  it('re-runs exactly the nodes downstream of a changed param; an identical second run runs nothing', async () => {
    const dir = project({ 'wf.json': chain, 'data/in.txt': 'hello\n' });
    const first = await runIn(dir);
    expect(first.ran).toEqual(['a', 'b', 'r', 's', 'sum', 'txt']);
    expect(outputOf(dir, first, 'sum')).toBe(3 + 5);

    const second = await runIn(dir, 'wf.json', { sets: { delta: 0.7 } });
    expect(second.ran).toEqual(['r', 's', 'sum']);
    expect(second.hit).toEqual(['a', 'b', 'txt']);
    expect(outputOf(dir, second, 'sum')).toBe(3 + 7);

    const third = await runIn(dir, 'wf.json', { sets: { delta: 0.7 } });
    expect(third.ran).toEqual([]);
    expect(third.hit).toHaveLength(6);
    expect(third.summary.savedMs).toBeGreaterThan(0);
  });

  it('stops the ripple when a re-run node produces byte-identical output (early cut-off)', async () => {
    const dir = project({ 'wf.json': chain, 'data/in.txt': 'x' });
    await runIn(dir);
    // 10 * 0.52 = 5.2 rounds to 5, as 10 * 0.5 did: r re-runs, sum does not
    const r = await runIn(dir, 'wf.json', { sets: { delta: 0.52 } });
    expect(r.ran).toEqual(['r', 's']);
    expect(r.cutOff).toEqual(['sum']);
    expect(outputOf(dir, r, 'sum')).toBe(8);
    expect(readLog(dir).filter((x) => x === 'sum')).toEqual(['sum']); // ran once, in the first run only
  });

  it('keys on file content: a rewritten file re-runs its reader, a touched one does not', async () => {
    const dir = project({ 'wf.json': chain, 'data/in.txt': 'one' });
    await runIn(dir);
    const f = join(dir, 'data/in.txt');
    const later = new Date(Date.now() + 5000);
    utimesSync(f, later, later);
    expect((await runIn(dir)).ran).toEqual([]);
    writeFileSync(f, 'two');
    const r = await runIn(dir);
    expect(r.ran).toEqual(['txt']);
    expect(outputOf(dir, r, 'txt')).toBe('two');
  });

  it('leaves input files byte-identical', async () => {
    const dir = project({ 'wf.json': chain, 'data/in.txt': 'payload\n' });
    const files = ['wf.json', 'data/in.txt', 'nodes.js'].map((p) => join(dir, p));
    const before = files.map((f) => [createHash('sha256').update(readFileSync(f)).digest('hex'), statSync(f).mtimeMs]);
    await runIn(dir);
    await runIn(dir, 'wf.json', { sets: { delta: 0.25 } });
    expect(files.map((f) => [createHash('sha256').update(readFileSync(f)).digest('hex'), statSync(f).mtimeMs])).toEqual(before);
  });

  it('--force re-runs a node; --only runs a node and its ancestors', async () => {
    const dir = project({ 'wf.json': chain, 'data/in.txt': 'x' });
    const only = await runIn(dir, 'wf.json', { only: ['r'] });
    expect(only.ran).toEqual(['b', 'r', 's']);
    const forced = await runIn(dir, 'wf.json', { force: ['s'] });
    expect(forced.ran).toEqual(['a', 's', 'sum', 'txt']);
    expect(forced.cutOff).toEqual(['r']);
    expect(forced.events.find((e) => e.type === 'start' && e.node === 's')).toMatchObject({ why: [{ cue: 'forced' }] });
  });

  it('round-trips tables (NaN and null stay distinct) and matrices through the cache', async () => {
    const dir = project({
      'wf.json': {
        plugins: ['./nodes.js'],
        nodes: {
          tab: { uses: 't-table', with: { n: 6, mult: 2 } }, ts: { uses: 't-tsum', in: { table: 'tab.table' } },
          m: { uses: 't-matrix', with: { n: 4 } }, ms: { uses: 't-msum', in: { w: 'm.w' } },
        },
      },
    });
    await runIn(dir);
    const r = await runIn(dir, 'wf.json', { force: ['ts', 'ms'] }); // decode from the cache, not memory
    expect(r.ran).toEqual(['ms', 'ts']);
    expect(outputOf(dir, r, 'ts')).toEqual({ sum: 30, nan: 1, nulls: 1 });
    expect(outputOf(dir, r, 'ms')).toEqual({ n: 4, ids: ['c0', 'c1', 'c2', 'c3'], sum: 120 / 3, meta: { made: 'test' } });
  });
});

describe('ctx.readFile', () => {
  const wf = (rewrite?: string) => ({ plugins: ['./nodes.js'], nodes: { f: { uses: 't-readfile', with: { path: 'data/in.txt', ...(rewrite !== undefined ? { rewrite } : {}) } } } });

  it('hands a node the bytes the engine hashed for its key (no second read), in shared memory', async () => {
    const dir = project({ 'wf.json': wf('rewritten'), 'data/in.txt': 'original' });
    const r = await runIn(dir);
    expect(r.ran).toEqual(['f']);
    // the node rewrote the file between its two reads: both are the hashed content
    expect(outputOf(dir, r, 'f')).toEqual({ a: 'original', b: 'original', shared: true });
    expect(readFileSync(join(dir, 'data/in.txt'), 'utf8')).toBe('rewritten');
    // the key is of the content the node saw: the rewritten file is a new key
    const again = await runIn(dir, 'wf.json', { sets: {} });
    expect(again.ran).toEqual(['f']);
    expect(outputOf(dir, again, 'f')).toEqual({ a: 'rewritten', b: 'rewritten', shared: true });
  });

  it('reads the file when the engine did not (hash from the stat cache)', async () => {
    const dir = project({ 'wf.json': wf(), 'data/in.txt': 'abc' });
    await runIn(dir);
    const r = await runIn(dir, 'wf.json', { force: ['f'] }); // file unchanged: its hash comes from stat.json
    expect(r.ran).toEqual(['f']);
    expect(outputOf(dir, r, 'f')).toEqual({ a: 'abc', b: 'abc', shared: true });
  });

  it('hashPath keeps the bytes of each file it reads whole (in a directory too), not of a stat-cache hit', async () => {
    const { hashPath } = await import('../../src/graph/hash.js');
    const { RACY_MS } = await import('../../src/graph/inputs.js');
    const dir = project({ 'data/in.txt': 'some bytes', 'data/sub/x.txt': 'x' });
    const keep = new Map<string, Buffer>();
    const stats = {};
    const f = join(dir, 'data/in.txt');
    const h = hashPath(f, stats, { value: false }, keep);
    expect(h).toBe(createHash('sha256').update('some bytes').digest('hex'));
    expect(keep.get(f)?.toString()).toBe('some bytes');
    expect(keep.get(f)?.buffer).toBeInstanceOf(SharedArrayBuffer);
    const keep2 = new Map<string, Buffer>();
    // the entry was recorded right after the file was written (racy): not trusted yet
    expect(hashPath(f, stats, { value: false }, keep2)).toBe(h);
    expect(keep2.size).toBe(1);
    keep2.clear();
    (stats as Record<string, { at: number }>)[f].at += RACY_MS; // as if recorded later
    expect(hashPath(f, stats, { value: false }, keep2)).toBe(h); // stat-cache hit: nothing read
    expect(keep2.size).toBe(0);
    // a directory: the bytes of each file in it (ctx.readFile of a file in a declared directory)
    hashPath(join(dir, 'data/sub'), {}, { value: false }, keep2);
    expect([...keep2.keys()]).toEqual([join(dir, 'data/sub/x.txt')]);
  });
});

describe('values between nodes', () => {
  it('hands dependents the stored form of a value, the same in a fresh and in a cached run', async () => {
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], nodes: { a: { uses: 't-nan' }, b: { uses: 't-inspect', in: { x: 'a.out' } } } } });
    const fresh = await runIn(dir);
    expect(fresh.ran).toEqual(['a', 'b']);
    expect(outputOf(dir, fresh, 'b')).toEqual([1, 'null']);
    const cached = await runIn(dir, 'wf.json', { force: ['b'] });
    expect(cached.ran).toEqual(['b']);
    expect(outputOf(dir, cached, 'b')).toEqual([1, 'null']);
  });
});

describe('failures', () => {
  it('names the failing node, its inputs and the cause; skips dependents; finishes and caches the rest', async () => {
    const dir = project({
      'wf.json': {
        plugins: ['./nodes.js'],
        nodes: {
          a: { uses: 't-const', with: { value: 1 } },
          bad: { uses: 't-fail', with: { message: 'singular design' }, in: { x: 'a.out' } },
          after: { uses: 't-round', in: { x: 'bad.out' } },
          other: { uses: 't-slow', with: { ms: 30 }, in: { x: 'a.out' } },
        },
      },
    });
    const r = await runIn(dir);
    expect(r.summary.failed).toEqual(['bad']);
    expect(r.summary.skipped).toEqual(['after']);
    expect(r.ran).toEqual(['a', 'other']);
    const f = r.events.find((e) => e.type === 'failed')!;
    expect(f.type === 'failed' && f.error.message).toBe('bad (t-fail) failed: singular design; inputs: x <- a.out');
    expect(f.type === 'failed' && (f.error.cause as Error).message).toBe('singular design');
    const again = await runIn(dir);
    expect(again.hit).toEqual(['a', 'other']);
  });
});

describe('provenance', () => {
  it('passes ancestors to provenance nodes and keys them on the ancestors', async () => {
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], params: { v: 1 }, nodes: {
      a: { uses: 't-const', with: { value: '$v' } }, b: { uses: 't-round', in: { x: 'a.out' } }, p: { uses: 't-prov', in: { x: 'b.out' } } } } });
    const r = await runIn(dir);
    expect(outputOf(dir, r, 'p')).toEqual(['a:t-const', 'b:t-round']);
    // v = 1.2 rounds to the same b, but a's key differs: provenance nodes re-run, plain ones would not
    const r2 = await runIn(dir, 'wf.json', { sets: { v: 1.2 } });
    expect(r2.ran).toEqual(['a', 'b', 'p']);
  });
});

describe('background cache writes', () => {
  it('writes a big output (>= 1 MiB) in the background: dependents get it at once, events stay in dependency order, all is stored when the run ends', async () => {
    const n = 100_000;
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], nodes: {
      tab: { uses: 't-table', with: { n, mult: 2 } },
      tsum: { uses: 't-tsum', in: { table: 'tab.table' } },
    } } });
    const r = await runIn(dir);
    expect(r.ran).toEqual(['tab', 'tsum']);
    const ran = r.events.filter((e) => e.type === 'ran').map((e) => e.type === 'ran' && e.node);
    expect(ran).toEqual(['tab', 'tsum']);
    expect(outputOf(dir, r, 'tsum')).toEqual({ sum: n * (n - 1), nan: 1, nulls: 1 });
    const store = new Store(join(dir, 'cache'));
    const e = r.events.find((x) => x.type === 'ran' && x.node === 'tab') as { key: string };
    const ref = store.getRecord(e.key)!.outputs.table;
    expect(ref.size).toBeGreaterThanOrEqual(1 << 20);
    expect(statSync(store.objectPath(ref.hash)).size).toBe(ref.size);
    expect(createHash('sha256').update(readFileSync(store.objectPath(ref.hash))).digest('hex')).toBe(ref.hash);
    expect(readdirSync(join(dir, 'cache/tmp'))).toEqual([]);
    const again = await runIn(dir);
    expect(again.hit).toEqual(['tab', 'tsum']);
  });
});
