// `flow cache gc` on a shared cache: the local keep policy over the shared runs/ entries, plus a
// grace period for entries a run elsewhere may not have recorded yet. Two runs of one workflow
// variant (a param edited in between) go into a shared folder (file://) and an S3 bucket
// (s3rver, in-process on a free port); the input files a coordinator would upload for workers
// are put into cas/ by hand. gc --grace 0s keeps exactly the last run's records, their objects
// and input files, and its run entry; the default grace keeps young entries; --dry-run removes
// nothing; ls and verify read the shared cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { startS3 } from './s3.js';
import { project, write, flowAsync, jsonLines } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';
import { openBackend } from '../../src/remote/open.js';
import { SharedDirBackend } from '../../src/remote/shared-dir.js';
import type { Backend } from '../../src/remote/backend.js';
import type { CacheRecord } from '../../src/graph/store.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const tmp = mkdtempSync(join(tmpdir(), 'flow-remote-gc-'));
let s3: Awaited<ReturnType<typeof startS3>> | undefined;
let endpoint = '';

beforeAll(async () => {
  await ensureBuilt();
  s3 = await startS3(join(tmp, 's3rver'));
  endpoint = s3.endpoint;
}, 180_000);

afterAll(async () => {
  await s3?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const wf = (x: number, text: string) => ({
  plugins: ['./nodes.js'],
  nodes: {
    a: { uses: 't-const', with: { value: x } },
    b: { uses: 't-add', with: { offset: 1 }, in: { xs: ['a.out'] } },
    c: { uses: 't-const', with: { value: 5 } },
    r: { uses: 't-read', with: { path: `data/${text}.txt` } },
  },
});

// the CLI runs in a child process: async, since s3rver answers from this one
const flow = (args: string[], cwd: string) => flowAsync(args, cwd);
const ok = async (p: ReturnType<typeof flow>) => { const r = await p; expect(r.code, r.stderr).toBe(0); return r; };

async function names(b: Backend): Promise<string[]> {
  const out: string[] = [];
  for (const p of ['ac/', 'cas/', 'runs/']) for await (const e of b.list(p)) out.push(e.name);
  return out.sort();
}

/** Two runs of one variant into the shared cache (x 10 -> 20, file one.txt -> two.txt), the files uploaded as a coordinator would. */
async function twoRuns(url: string) {
  const dir = project({ 'data/one.txt': 'first file', 'data/two.txt': 'second file' });
  const backend = await openBackend(url);
  const run = async (x: number, text: string) => {
    write(dir, { 'wf.json': wf(x, text) });
    const r = await ok(flow(['run', 'wf.json', '--json', '--no-out', '--cache', url, '--local-cache', join(dir, `local-${x}`)], dir));
    await backend.put(`cas/${sha(`${text === 'one' ? 'first' : 'second'} file`)}`, Buffer.from(`${text === 'one' ? 'first' : 'second'} file`));
    return Object.fromEntries(jsonLines(r.stdout).filter((e) => e.key).map((e) => [e.node, e.key as string]));
  };
  const first = await run(10, 'one');
  const second = await run(20, 'two');
  expect(first.c).toBe(second.c); // c is the same result in both runs
  const rec = async (key: string): Promise<CacheRecord> => JSON.parse(Buffer.from((await backend.get(`ac/${key}.json`))!).toString('utf8'));
  const objectsOf = async (keys: Record<string, string>) => (await Promise.all(Object.values(keys).map(async (k) => {
    const r = await rec(k);
    return [...Object.values(r.outputs).map((o) => o.hash), ...Object.values(r.fingerprint.files)];
  }))).flat();
  const runs: string[] = [];
  for await (const e of backend.list('runs/')) runs.push(e.name);
  expect(runs).toHaveLength(2);
  runs.sort(); // named by start time
  return { dir, backend, first, second, firstObjects: await objectsOf(first), secondObjects: await objectsOf(second), runs };
}

const kinds = [
  { kind: 'shared folder', url: (n: string) => pathToFileURL(join(tmp, 'shared', n)).href, aged: true },
  { kind: 's3', url: (n: string) => `s3://flow/${n}/cache?endpoint=${endpoint}`, aged: false },
];

describe.each(kinds)('cache gc on a shared cache ($kind)', ({ url: urlOf, aged }) => {
  it('keeps exactly what the last run used (and young entries); --dry-run removes nothing', async () => {
    const url = urlOf('gc');
    const { dir, backend, first, second, firstObjects, secondObjects, runs } = await twoRuns(url);
    try {
      const all = await names(backend);
      const kept = [
        ...Object.values(second).map((k) => `ac/${k}.json`),
        ...secondObjects.map((h) => `cas/${h}`),
        runs[1],
      ];
      const keptSet = [...new Set(kept)].sort();
      // what goes: the first run's records (c is in both), objects only it used, its run entry
      const goneRecords = Object.entries(first).filter(([n]) => n !== 'c').map(([, k]) => `ac/${k}.json`);
      const goneObjects = [...new Set(firstObjects)].filter((h) => !secondObjects.includes(h)).map((h) => `cas/${h}`);
      expect(goneRecords).toHaveLength(3);
      expect(goneObjects).toHaveLength(4); // a's 10, b's 11, r's output, the file one.txt
      expect([...keptSet, ...goneRecords, ...goneObjects, runs[0]].sort()).toEqual(all);

      // the default grace (1h): everything is young, nothing goes
      const young = await ok(flow(['cache', 'gc', '--cache', url], dir));
      expect(young.stdout).toContain('removed 0 records, 0 objects, 0 run entries (0 B)');
      expect(await names(backend)).toEqual(all);

      // --dry-run lists the records that would go, removes nothing
      const dry = await ok(flow(['cache', 'gc', '--dry-run', '--grace', '0s', '--cache', url], dir));
      expect(dry.stdout.split('\n').filter((l) => l.startsWith('  would remove')).map((l) => l.trim().split(/\s+/)[2]).sort()).toEqual(['a', 'b', 'r']);
      expect(dry.stdout).toContain('would remove 3 records, 4 objects, 1 run entries');
      expect(await names(backend)).toEqual(all);

      if (aged) {
        // everything older than the grace period but the first run's record of b
        const root = (backend as SharedDirBackend);
        const old = new Date(Date.now() - 3 * 3_600_000);
        for (const n of all) if (n !== `ac/${first.b}.json`) utimesSync(root.path(n), old, old);
        const g = await ok(flow(['cache', 'gc', '--cache', url], dir));
        expect(g.stdout).toContain('removed 2 records, 3 objects, 1 run entries');
        const bOut = (JSON.parse(Buffer.from((await backend.get(`ac/${first.b}.json`))!).toString('utf8')) as CacheRecord).outputs.out.hash;
        // b's young record survives, and so does its object
        expect(await names(backend)).toEqual([...keptSet, `ac/${first.b}.json`, `cas/${bOut}`].sort());
      }

      const g = await ok(flow(['cache', 'gc', '--grace', '0s', '--cache', url], dir));
      expect(g.stdout).toMatch(/^removed \d records, \d objects, \d run entries \(\d+(\.\d)? (B|KB)\) from /m);
      expect(await names(backend)).toEqual(keptSet);

      // what is left is a consistent cache; ls lists the kept records
      const v = await ok(flow(['cache', 'verify', '--cache', url], dir));
      expect(v.stdout).toContain(`checked ${new Set(secondObjects).size} objects, 4 records, 1 run entries`);
      expect(v.stdout).toContain('cache ok');
      const ls = await ok(flow(['cache', 'ls', '--json', '--cache', url], dir));
      expect(jsonLines(ls.stdout).map((r) => r.node).sort()).toEqual(['a', 'b', 'c', 'r']);
      // a second run hits everything
      const again = await ok(flow(['run', 'wf.json', '--json', '--no-out', '--cache', url, '--local-cache', join(dir, 'local-again')], dir));
      expect(jsonLines(again.stdout).at(-1).summary.hit.sort()).toEqual(['a', 'b', 'c', 'r']);
    } finally { await backend.close(); }
  }, 120_000);
});

describe('cache gc options', () => {
  it('refuses --grace for a local cache; checks ages', async () => {
    const dir = project({});
    const r = await flow(['cache', 'gc', '--grace', '1h'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--grace 1h: the grace period is for a shared cache (--cache s3://… or file://…)');
    const bad = await flow(['cache', 'gc', '--grace', 'soon', '--cache', pathToFileURL(join(tmp, 'shared', 'opts')).href], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--grace soon: expected an age such as 30s, 30m, 12h, 7d or 2w');
  });
});
