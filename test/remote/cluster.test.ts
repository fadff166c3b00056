// The distributed set-up end to end, on loopback: `flow run --executor bullmq` against a real
// Redis (FLOW_TEST_REDIS, started by .ci/run) and an S3-compatible server (s3rver, in-process),
// with `flow worker` child processes. What a team relies on: the same artifacts as an embedded
// run, no job for a result the shared cache has, hits for a second machine with an empty local
// cache, the same keys from a checkout in another folder, a shared node run once for two
// coordinators, a corrupt shared object never used, and a worker with other code refusing.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOW, REPO, jsonLines, project } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';
import { TEST_REDIS } from './redis.js';
import { S3_ENV, startS3 } from './s3.js';

const REDIS = TEST_REDIS;

let s3: Awaited<ReturnType<typeof startS3>> | undefined;
let s3Port = 0;
const tmp = mkdtempSync(join(tmpdir(), 'flow-cluster-'));
const children = new Set<ChildProcess>();
let db = 0;

/** A Redis database of its own per test (16 on a default server), emptied first. */
async function freshRedis(): Promise<string> {
  const url = `${REDIS}/${++db}`;
  const { Redis } = await import('ioredis');
  const r = new Redis(url);
  await r.flushdb();
  await r.quit();
  return url;
}

const bucket = (name: string) => `s3://flow/${name}?endpoint=http://127.0.0.1:${s3Port}`;

interface Proc { code: number | null; stdout: string; stderr: string }

/** Runs `flow args` in cwd (bounded in time), with the S3 test credentials. */
function flowRun(args: string[], cwd: string, bin = FLOW, timeoutMs = 120_000): Promise<Proc> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...S3_ENV, NO_COLOR: '1' } });
    children.add(c);
    let stdout = '', stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => { clearTimeout(t); children.delete(c); res({ code, stdout, stderr }); });
  });
}

/** A `flow worker` child: its stdout lines as they come. */
function worker(redis: string, cache: string, bin = FLOW, extra: string[] = []) {
  const c = spawn(process.execPath, [bin, 'worker', '--redis', redis, '--cache', cache, '--exit-when-idle', '60', '--lock-ms', '1000', ...extra],
    { cwd: tmp, env: { ...process.env, ...S3_ENV } });
  children.add(c);
  const out = { lines: [] as string[], stderr: '', exited: new Promise<number | null>((r) => c.on('close', (code) => { children.delete(c); r(code); })) };
  let buf = '';
  c.stdout.on('data', (d) => { buf += d; const parts = buf.split('\n'); buf = parts.pop()!; out.lines.push(...parts.filter(Boolean)); });
  c.stderr.on('data', (d) => (out.stderr += d));
  return { ...out, proc: c, ran: () => out.lines.filter((l) => l.startsWith('ran ')) };
}

/** node id -> key, and key -> output hashes, from a run's --json lines and its local cache. */
function results(p: Proc, localCache: string) {
  expect(p.code, p.stderr).toBe(0);
  const events = jsonLines(p.stdout).filter((e) => e.node);
  const keys = Object.fromEntries(events.map((e) => [e.node, e.key]));
  const outputs = Object.fromEntries(events.map((e) => {
    const rec = JSON.parse(readFileSync(join(localCache, 'keys', e.key.slice(0, 2), e.key.slice(2) + '.json'), 'utf8'));
    return [e.node, Object.fromEntries(Object.entries(rec.outputs as Record<string, { hash: string }>).map(([port, o]) => [port, o.hash]))];
  }));
  return { events, keys, outputs };
}

beforeAll(async () => {
  if (!REDIS) return;
  await ensureBuilt();
  s3 = await startS3(join(tmp, 's3'));
  s3Port = s3.port;
}, 240_000);

afterEach(() => { for (const c of children) c.kill('SIGKILL'); children.clear(); });
afterAll(async () => { await s3?.stop(); rmSync(tmp, { recursive: true, force: true }); });

describe.skipIf(!REDIS)('flow run --executor bullmq with flow workers (no Redis: set FLOW_TEST_REDIS or install redis-server; .ci/run starts one)', () => {
  it('paper.json on two workers gives the embedded run\'s artifacts; a second run submits no job; an empty local cache over the bucket computes nothing; another checkout has the same keys', async () => {
    const redis = await freshRedis();
    const cache = bucket('paper');
    const embeddedCache = join(tmp, 'embedded');
    const embedded = results(await flowRun(['run', 'workflows/paper.json', '--cache', embeddedCache, '--no-out', '--json'], REPO), embeddedCache);

    const w1 = worker(redis, cache), w2 = worker(redis, cache);
    const local1 = join(tmp, 'local1');
    const first = await flowRun(['run', 'workflows/paper.json', '--cache', cache, '--local-cache', local1, '--executor', 'bullmq', '--redis', redis, '--no-out', '--json'], REPO);
    const dist = results(first, local1);
    expect(dist.keys).toEqual(embedded.keys);
    expect(dist.outputs).toEqual(embedded.outputs);
    // every node ran on a worker, and both workers took part
    const ran = dist.events.filter((e) => e.status === 'ran');
    expect(ran.length).toBe(Object.keys(embedded.keys).length);
    const machines = new Set(ran.map((e) => e.machine));
    expect(machines.size).toBe(2);
    expect(w1.ran().length + w2.ran().length).toBe(ran.length);

    // a second run: all hits, no job
    const before = w1.ran().length + w2.ran().length;
    const again = results(await flowRun(['run', 'workflows/paper.json', '--cache', cache, '--local-cache', local1, '--executor', 'bullmq', '--redis', redis, '--no-out', '--json'], REPO), local1);
    expect(again.events.filter((e) => e.status !== 'hit')).toEqual([]);
    expect(w1.ran().length + w2.ran().length).toBe(before);

    // another machine: an empty local cache over the same bucket, no executor, computes nothing
    const local2 = join(tmp, 'local2');
    const second = results(await flowRun(['run', 'workflows/paper.json', '--cache', cache, '--local-cache', local2, '--no-out', '--json'], REPO), local2);
    expect(second.events.filter((e) => e.status !== 'hit')).toEqual([]);
    expect(second.events.every((e) => e.from === 'shared cache')).toBe(true);
    expect(second.outputs).toEqual(embedded.outputs);

    // a checkout in another folder: the same keys (nothing of where it lives is in them)
    const clone = join(tmp, 'clone');
    for (const d of ['workflows', 'data', 'schema']) cpSync(join(REPO, d), join(clone, d), { recursive: true });
    writeFileSync(join(clone, 'package.json'), '{"name":"a-clone","private":true}');
    const cloneCache = join(tmp, 'clone-cache');
    const third = results(await flowRun(['run', 'workflows/paper.json', '--cache', cloneCache, '--no-out', '--json'], clone), cloneCache);
    // but the report's: its provenance holds the git commit and dirty flag (src/graph/about.ts),
    // which it prints, and this copy is no git checkout
    const { report: _r3, ...third_ } = third.keys as Record<string, string>, { report: _r0, ...embedded_ } = embedded.keys as Record<string, string>;
    expect(third_).toEqual(embedded_);
  }, 300_000);

  it('two coordinators sweeping overlapping matrices run each shared node once', async () => {
    const redis = await freshRedis();
    const cache = bucket('overlap');
    const dir = project({
      'data/x.csv': 'id,v\n1,2\n2,3\n3,5\n',
      'base.json': { params: { f: 'd => d.v * 1' }, nodes: { data: { uses: 'load-csv', with: { path: 'data/x.csv' } }, scaled: { uses: 'derive', in: { table: 'data.table' }, with: { columns: { y: '$f' } } } } },
      'a.json': { extends: 'base.json', matrix: { f: ['d => d.v * 1', 'd => d.v * 2', 'd => d.v * 3'] } },
      'b.json': { extends: 'base.json', matrix: { f: ['d => d.v * 2', 'd => d.v * 3', 'd => d.v * 4'] } },
    });
    const w = worker(redis, cache);
    const args = (wf: string, local: string) => ['run', wf, '--cache', cache, '--local-cache', join(dir, local), '--executor', 'bullmq', '--redis', redis, '--no-out', '--json'];
    const [a, b] = await Promise.all([flowRun(args('a.json', 'ca'), dir), flowRun(args('b.json', 'cb'), dir)]);
    const ra = results(a, join(dir, 'ca')), rb = results(b, join(dir, 'cb'));
    // 1 load + 4 distinct derive copies: each key ran on the worker once
    const keys = new Set([...Object.values(ra.keys), ...Object.values(rb.keys)]);
    expect(keys.size).toBe(5);
    // `ran <node id> <type> <key12> <ms> ms` (matrix ids hold spaces: parsed from the end)
    const ranKeys = w.ran().map((l) => /^ran (.+) (\S+) ([0-9a-f]{12}) (\d+) ms$/.exec(l)?.[3]);
    expect(ranKeys.length).toBe(5);
    expect(new Set(ranKeys).size).toBe(5);
    expect(ra.keys['scaled[f=d => d.v * 2]']).toBe(rb.keys['scaled[f=d => d.v * 2]']);
  }, 180_000);

  it('a corrupt object in the bucket is never used: the node that made it runs again and the object is repaired', async () => {
    const shared = join(tmp, 'shared-corrupt');
    const cache = 'file://' + shared;
    const dir = project({
      'data/x.csv': 'id,v\n1,2\n2,3\n',
      'wf.json': { nodes: { data: { uses: 'load-csv', with: { path: 'data/x.csv' } }, scaled: { uses: 'derive', in: { table: 'data.table' }, with: { columns: { y: 'd => d.v * 2' } } } } },
    });
    const first = results(await flowRun(['run', 'wf.json', '--cache', cache, '--local-cache', join(dir, 'c1'), '--no-out', '--json'], dir), join(dir, 'c1'));
    const hash = first.outputs.data.table;
    const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]);
    const objectFile = files(join(shared, 'cas')).find((f) => f.replace(/[/\\]/g, '').endsWith(hash))!;
    expect(objectFile).toBeTruthy();
    const good = readFileSync(objectFile);
    writeFileSync(objectFile, Buffer.concat([good.subarray(0, 10), Buffer.from('poison'), good.subarray(16)]));
    const second = await flowRun(['run', 'wf.json', '--cache', cache, '--local-cache', join(dir, 'c2'), '--no-out', '--json'], dir);
    const r = results(second, join(dir, 'c2'));
    expect(r.events.find((e) => e.node === 'data').status).toBe('ran');
    expect(r.events.find((e) => e.node === 'scaled').status).toBe('hit'); // same bytes again: early cut-off
    expect(second.stderr).toContain(hash.slice(0, 12));
    expect(r.outputs).toEqual(first.outputs);
    expect(readFileSync(objectFile).equals(good)).toBe(true);
  }, 120_000);

  it('a worker with other code for a node type refuses its jobs and writes nothing', async () => {
    const redis = await freshRedis();
    const cache = bucket('other-code');
    // a deployed copy of flow (no src/: an installed build) whose load-csv code hash differs
    const copy = join(tmp, 'other-flow');
    for (const d of ['bin', 'dist']) cpSync(join(REPO, d), join(copy, d), { recursive: true });
    cpSync(join(REPO, 'package.json'), join(copy, 'package.json'));
    if (!existsSync(join(copy, 'node_modules'))) symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    const manifestFile = join(copy, 'dist', 'nodes', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.types['load-csv'].code = 'f'.repeat(64);
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const w = worker(redis, cache, join(copy, 'bin', 'flow.js'));
    const dir = project({ 'data/x.csv': 'id,v\n1,2\n', 'wf.json': { nodes: { data: { uses: 'load-csv', with: { path: 'data/x.csv' } } } } });
    const r = await flowRun(['run', 'wf.json', '--cache', cache, '--local-cache', join(dir, 'c'), '--executor', 'bullmq', '--redis', redis, '--no-out', '--json'], dir);
    expect(r.code).toBe(1);
    const failed = jsonLines(r.stdout).find((e) => e.node === 'data');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/other code for node type load-csv/);
    expect(w.lines.some((l) => l.startsWith('refused '))).toBe(true);
    expect(w.ran()).toEqual([]);
    // nothing in ac/ for it
    const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint: `http://127.0.0.1:${s3Port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'flow', Prefix: 'other-code/ac/' }));
    expect(listed.KeyCount ?? 0).toBe(0);
    client.destroy();
  }, 120_000);
});
