import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { project, flow, flowAsync, jsonLines, readLog, FLOW } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';

beforeAll(() => ensureBuilt(), 180_000);

// a fan of slow nodes feeding a chain: long enough to be killed in the middle
const slowWf = {
  plugins: ['./nodes.js'],
  params: { k: 2 },
  nodes: {
    ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i}`, { uses: 't-slow', with: { ms: 150 + 40 * i, log: 'log.txt' } }])),
    total: { uses: 't-add', with: { log: 'log.txt' }, in: { xs: Array.from({ length: 8 }, (_, i) => `s${i}.out`) } },
    tab: { uses: 't-table', with: { n: 50, mult: '$k' } },
    tsum: { uses: 't-tsum', in: { table: 'tab.table' } },
    last: { uses: 't-slow', with: { ms: 100, log: 'log.txt' }, in: { x: 'total.out' } },
  },
};
const expectedTotal = Array.from({ length: 8 }, (_, i) => 150 + 40 * i).reduce((a, b) => a + b, 0);

describe('crash safety', () => {
  it('a run killed with SIGKILL leaves a cache that verifies, and the next run completes from it', async () => {
    const dir = project({ 'wf.json': slowWf });
    const child = spawn(process.execPath, [FLOW, 'run', 'wf.json', '--json', '--jobs', '2'], { cwd: dir });
    let out = '';
    await new Promise<void>((res) => {
      child.stdout.on('data', (d) => {
        out += d;
        if ((out.match(/"status":"ran"/g) ?? []).length >= 3) { child.kill('SIGKILL'); res(); }
      });
      child.on('close', () => res());
    });
    await new Promise((r) => child.once('close', r));
    const before = jsonLines(out).filter((e) => e.status === 'ran').map((e) => e.node);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(jsonLines(out).some((e) => e.summary)).toBe(false); // it really died in the middle

    const v = flow(['cache', 'verify'], dir);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('cache ok');

    const r = flow(['run', 'wf.json', '--json'], dir);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    const { summary } = lines.at(-1);
    for (const n of before) expect(summary.hit).toContain(n);
    expect(summary.ran.length + summary.hit.length).toBe(12);
    // every node that finished before the kill ran exactly once
    const log = readLog(dir);
    for (const n of before.filter((x) => x !== 'tab' && x !== 'tsum')) expect(log.filter((x) => x === n)).toEqual([n]);
    const out2 = flow(['run', 'wf.json', '--out', 'out', '--json'], dir);
    expect(jsonLines(out2.stdout).at(-1).summary.ran).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'out/last.out.json'), 'utf8'))).toBe(expectedTotal);
    expect(flow(['cache', 'verify'], dir).code).toBe(0);
  }, 120_000);

  it('two runs at once on one cache both succeed with the same results, and the cache verifies', async () => {
    const dir = project({ 'wf.json': slowWf });
    const [a, b] = await Promise.all([flowAsync(['run', 'wf.json', '--json'], dir), flowAsync(['run', 'wf.json', '--json', '--out', 'out'], dir)]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const keys = (s: string) => Object.fromEntries(jsonLines(s).filter((e) => e.node).map((e) => [e.node, e.key]));
    expect(keys(a.stdout)).toEqual(keys(b.stdout));
    expect(Object.keys(keys(a.stdout))).toHaveLength(12);
    expect(JSON.parse(readFileSync(join(dir, 'out/last.out.json'), 'utf8'))).toBe(expectedTotal);
    expect(JSON.parse(readFileSync(join(dir, 'out/tsum.out.json'), 'utf8'))).toEqual({ sum: 2 * 1225, nan: 1, nulls: 1 });
    const v = flow(['cache', 'verify'], dir);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('cache ok');
    expect(readdirSync(join(dir, 'cache/tmp'))).toEqual([]);
    const third = jsonLines(flow(['run', 'wf.json', '--json'], dir).stdout).at(-1).summary;
    expect(third.ran).toEqual([]);
  }, 120_000);
});

describe('gc beside a run', () => {
  it('waits for the run in progress: the run completes with correct outputs, the cache verifies, and nothing it made is lost', async () => {
    const dir = project({ 'wf.json': slowWf });
    const child = spawn(process.execPath, [FLOW, 'run', 'wf.json', '--json', '--jobs', '2', '--out', 'out'], { cwd: dir });
    let out = '';
    const ended = new Promise<number | null>((res) => child.on('close', res));
    await new Promise<void>((res) => {
      child.stdout.on('data', (d) => { out += d; if (/"status":"ran"/.test(out)) res(); });
      void ended.then(() => res());
    });
    const gc = await flowAsync(['cache', 'gc'], dir); // started while the run is in the middle
    expect(await ended).toBe(0);
    expect(jsonLines(out).some((e) => e.summary)).toBe(true); // gc returned only after the run had ended
    expect(gc.code).toBe(0);
    expect(gc.stderr).toMatch(/^waiting for 1 flow run in progress to finish \(wf\.json, pid \d+\)$/m);
    expect(gc.stdout).toContain('removed 0 records, 0 objects');
    expect(JSON.parse(readFileSync(join(dir, 'out/last.out.json'), 'utf8'))).toBe(expectedTotal);
    expect(flow(['cache', 'verify'], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining('cache ok') });
    expect(jsonLines(flow(['run', 'wf.json', '--json'], dir).stdout).at(-1).summary.ran).toEqual([]);
  }, 120_000);
});
