// The BullMQ executor and `flow worker`, without the scheduler: RemoteJobs built by hand from
// an embedded run's records, submitted by a BullExecutor in this process to `flow worker`
// child processes (the built dist/), over a real Redis (FLOW_TEST_REDIS) and an S3 bucket
// (s3rver, in-process). Each test has a queue prefix of its own (?prefix= in the Redis URL).
// Covered: a job with a file and a job with an input give the embedded run's artifacts, and
// a result already in ac/ submits no job; two executors with the same key make one job; a job
// for other code is refused (no retry, nothing in ac/); a worker SIGKILLed mid-job is replaced
// by another, which finishes the job with the right result.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FLOW, REPO, jsonLines } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';
import { TEST_REDIS } from './redis.js';
import { S3_ENV, startS3 } from './s3.js';
import { canonical, sha256 } from '../../src/graph/hash.js';
import { Store, type CacheRecord } from '../../src/graph/store.js';
import type { RemoteJob } from '../../src/graph/remote.js';
import { openRemote } from '../../src/remote/open.js';
import type { RemoteCache } from '../../src/remote/remote-cache.js';
import { openExecutor, type BullExecutor } from '../../src/remote/bullmq-executor.js';
import { FlowError } from '../../src/errors.js';

const REDIS = TEST_REDIS;
/** bootstrap resamples of the slow node: a few seconds of CPU in a worker thread */
const SLOW_REPS = 30_000;

const tmp = mkdtempSync(join(tmpdir(), 'flow-bullmq-'));
const children = new Set<ChildProcess>();
const open: { close(): Promise<void> }[] = [];
let s3: Awaited<ReturnType<typeof startS3>> | undefined;
let s3Port = 0;

/** The embedded run: the project, its local cache, node id -> record. */
let project = '';
let local: Store;
const recs: Record<string, CacheRecord> = {};

const unique = () => 't' + randomBytes(5).toString('hex');
const redisUrl = (prefix: string) => `${REDIS}${REDIS!.includes('?') ? '&' : '?'}prefix=${prefix}`;
const bucket = (name: string) => `s3://flow/${name}?endpoint=http://127.0.0.1:${s3Port}`;

/** Polls until cond() holds, at most ms (then fails, saying what it waited for). */
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A `flow worker` child (from dist/), named `name` (FLOW_WORKER_NAME): its stdout lines as they come. */
function worker(redis: string, cache: string, name: string, extra: string[] = []) {
  const c = spawn(process.execPath, [FLOW, 'worker', '--redis', redis, '--cache', cache, '--exit-when-idle', '60', '--lock-ms', '1000', ...extra],
    { cwd: tmp, env: { ...process.env, ...S3_ENV, FLOW_WORKER_NAME: name } });
  children.add(c);
  const lines: string[] = [];
  let stderr = '', buf = '';
  const exited = new Promise<number | null>((r) => c.on('close', (code) => { children.delete(c); r(code); }));
  c.stdout.on('data', (d) => { buf += d; const parts = buf.split('\n'); buf = parts.pop()!; lines.push(...parts.filter(Boolean)); });
  c.stderr.on('data', (d) => (stderr += d));
  return {
    proc: c, lines, exited, stderr: () => stderr,
    ran: (node?: string) => lines.filter((l) => l.startsWith('ran ') && (!node || l.split(' ')[1] === node)),
    /** ready: it says so on stderr once its Redis connection is up */
    ready: () => waitFor(`worker ${name} to start (stderr: ${stderr})`, () => stderr.includes('flow worker ') || c.exitCode !== null, 30_000),
  };
}

/** The RemoteJob of a node of the embedded run (key and fingerprint are the engine's own). */
function jobOf(node: string, change: (fp: CacheRecord['fingerprint']) => void = () => {}): RemoteJob {
  const rec = recs[node];
  const fp = structuredClone(rec.fingerprint);
  change(fp);
  const key = sha256(canonical(fp));
  const fromRaw = node !== 'raw';
  return {
    key, fingerprint: fp, type: fp.type, code: fp.code, nodeId: node, file: 'wf.json', workflow: 'wf.json', params: fp.params,
    sources: fromRaw ? { data: [{ node: 'raw', port: 'table' }] } : {},
    inputs: fromRaw ? { data: { many: false, refs: [recs.raw.outputs.table] } } : {},
    files: fp.files,
  };
}
const filesOf = (job: RemoteJob) => new Map(Object.keys(job.files).map((rel) => [rel, readFileSync(join(project, rel))]));

async function remote(cache: string): Promise<RemoteCache> {
  const r = await openRemote(cache, local, { warn: () => {} });
  open.push(r);
  return r;
}
async function executor(redis: string, r: RemoteCache): Promise<BullExecutor> {
  const e = await openExecutor(redis, r, local, { builtinTypes: new Set(['load-csv', 'fe']) });
  open.push({ close: async () => { await e.queue.obliterate({ force: true }).catch(() => {}); await e.close(); } });
  return e;
}

beforeAll(async () => {
  if (!REDIS) return;
  await ensureBuilt(); // throws (failing every test) when the build fails
  s3 = await startS3(join(tmp, 's3'));
  s3Port = s3.port;

  // the embedded run: a file read (load-csv), a quick estimation, a slow one
  project = join(tmp, 'project');
  const fe = (reps: number) => ({ uses: 'fe', in: { data: 'raw.table' }, with: { y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' }, wildBootstrap: { term: 'value', reps } } });
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"private":true}\n');
  copyFileSync(join(REPO, 'test/fixtures/grunfeld.csv'), join(project, 'grunfeld.csv'));
  writeFileSync(join(project, 'wf.json'), JSON.stringify({ nodes: { raw: { uses: 'load-csv', with: { path: 'grunfeld.csv' } }, m: fe(999), slow: fe(SLOW_REPS) } }));
  const cacheDir = join(tmp, 'embedded');
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    const c = spawn(process.execPath, [FLOW, 'run', 'wf.json', '--cache', cacheDir, '--no-out', '--json'], { cwd: project });
    children.add(c);
    let stdout = '', stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGKILL'), 120_000);
    c.on('close', (code) => { clearTimeout(t); children.delete(c); res({ code, stdout, stderr }); });
  });
  expect(r.code, r.stderr).toBe(0);
  local = new Store(cacheDir);
  for (const e of jsonLines(r.stdout).filter((x) => x.node)) recs[e.node] = local.getRecord(e.key)!;
  expect(Object.keys(recs).sort()).toEqual(['m', 'raw', 'slow']);
}, 300_000);

afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  await Promise.allSettled(open.splice(0).map((o) => o.close()));
});

afterAll(async () => {
  await s3?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!REDIS)('BullExecutor and flow worker (skipped without a Redis: set FLOW_TEST_REDIS or install redis-server; .ci/run starts one)', () => {
  it('runs a node reading a file and a node reading an input on a worker: the embedded run\'s artifacts; a result already in ac/ submits no job', async () => {
    const prefix = unique();
    const cache = bucket(prefix);
    const w = worker(redisUrl(prefix), cache, 'w1');
    const r = await remote(cache);
    const ex = await executor(redisUrl(prefix), r);
    expect(ex.accepts('fe')).toBe(true);
    expect(ex.accepts('t-const')).toBe(false);

    const raw = jobOf('raw'), m = jobOf('m');
    expect(raw.key).toBe(recs.raw.key);
    expect(await ex.run(raw, filesOf(raw))).toEqual({ machine: 'w1' });
    expect(await ex.run(m, new Map())).toEqual({ machine: 'w1' });
    for (const node of ['raw', 'm']) {
      const rec = (await r.getRecord(recs[node].key))!;
      expect(rec.outputs).toEqual(recs[node].outputs);
      expect(rec).toMatchObject({ node, workflow: 'wf.json', machine: 'w1', fingerprint: recs[node].fingerprint });
      for (const o of Object.values(rec.outputs)) expect(await r.getObject(o.hash)).toBeDefined();
    }
    await waitFor('two ran lines', () => w.ran().length === 2, 10_000);
    expect(w.ran('raw')[0]).toMatch(new RegExp(`^ran raw load-csv ${raw.key.slice(0, 12)} \\d+ ms$`));
    expect(ex.stats.submitted).toBe(2);
    expect(ex.stats.jobs.map((j) => j.node)).toEqual(['raw', 'm']);
    expect(ex.overheadMs()).toBeGreaterThanOrEqual(0);

    // again: ac/ has it, so no job
    expect(await ex.run(m, new Map())).toEqual({ machine: 'w1' });
    expect(ex.stats).toMatchObject({ submitted: 2, already: 1 });
    expect(w.ran().length).toBe(2);

    // a file whose bytes are not the ones in its job (a key not in ac/) is neither published nor run
    const fresh = jobOf('raw', (fp) => { (fp as { n?: number }).n = 1; });
    const refused = await ex.run(fresh, new Map([['grunfeld.csv', Buffer.from('firm,year\n1,2\n')]])).then(() => undefined, (e) => e);
    expect(refused).toBeInstanceOf(FlowError);
    expect(refused.message).toMatch(/grunfeld\.csv changed/);
    expect(ex.stats.submitted).toBe(2);
  }, 120_000);

  it('two executors submitting the same key make one job, run once', async () => {
    const prefix = unique();
    const cache = bucket(prefix);
    const w = worker(redisUrl(prefix), cache, 'w1');
    await w.ready();
    const [r1, r2] = [await remote(cache), await remote(cache)];
    const [e1, e2] = [await executor(redisUrl(prefix), r1), await executor(redisUrl(prefix), r2)];
    await r1.ensureObject(recs.raw.outputs.table.hash);
    const job = jobOf('m');
    const both = await Promise.all([e1.run(job, new Map()), e2.run(structuredClone(job), new Map())]);
    expect(both).toEqual([{ machine: 'w1' }, { machine: 'w1' }]);
    expect(e1.stats.submitted + e2.stats.submitted).toBe(2); // both added: BullMQ kept one (same job id)
    // any late duplicate would show within a lock period or so
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.ran('m')).toHaveLength(1);
    expect(w.lines.filter((l) => !l.startsWith('ran '))).toEqual([]);
    expect((await r1.getRecord(job.key))!.outputs).toEqual(recs.m.outputs);
  }, 120_000);

  it('a job for other code is refused at once with a clear message, without retries, and writes nothing to ac/', async () => {
    const prefix = unique();
    const cache = bucket(prefix);
    const w = worker(redisUrl(prefix), cache, 'w1');
    const r = await remote(cache);
    const ex = await executor(redisUrl(prefix), r);
    const real = recs.m.fingerprint.code;
    const other = 'de' + real.slice(2);
    const job = jobOf('m', (fp) => { fp.code = other; });
    job.code = other;
    const t0 = Date.now();
    const err = await ex.run(job, new Map()).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.kind).toBe('run');
    expect(err.message).toBe(`worker on w1 has other code for node type fe (${real.slice(0, 12)}…, job wants ${other.slice(0, 12)}…): deploy the same flow build on coordinator and workers`);
    expect(Date.now() - t0).toBeLessThan(20_000);
    await waitFor('the refused line', () => w.lines.length > 0, 10_000);
    expect(w.lines).toEqual([`refused m fe ${job.key.slice(0, 12)}: ${err.message}`]);
    expect(await r.getRecord(job.key)).toBeUndefined();
    expect(await r.backend.has(`ac/${job.key}.json`)).toBe(false);
    const outs = [];
    for await (const e of r.backend.list('ac/')) outs.push(e.name);
    expect(outs).toEqual([]);

    // submitted again (a fixed deploy would be): the failed job is replaced, not answered from its old failure
    const again = await ex.run(job, new Map()).then(() => undefined, (e) => e);
    expect(again?.message).toMatch(/has other code/);
    await waitFor('a second refused line', () => w.lines.length === 2, 10_000);
    expect(ex.stats.submitted).toBe(2);
  }, 120_000);

  it('a node failing on its data fails the job at once (not retried), with the node\'s message, and writes nothing', async () => {
    const prefix = unique();
    const cache = bucket(prefix);
    const w = worker(redisUrl(prefix), cache, 'w1');
    const r = await remote(cache);
    const ex = await executor(redisUrl(prefix), r);
    const job = jobOf('m', (fp) => { (fp.params as { y: string }).y = 'no_such_column'; });
    const t0 = Date.now();
    const err = await ex.run(job, new Map()).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.message).toMatch(/no_such_column/);
    await waitFor('the failed line', () => w.lines.length > 0, 10_000);
    expect(w.lines).toHaveLength(1);
    expect(w.lines[0]).toMatch(new RegExp(`^failed m fe ${job.key.slice(0, 12)} \\((data|validate) error, not retried\\): .*no_such_column`));
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await r.backend.has(`ac/${job.key}.json`)).toBe(false);
  }, 60_000);

  it('a worker SIGKILLed mid-job: another worker finishes the job, with the right result', async () => {
    const prefix = unique();
    const cache = bucket(prefix);
    const redis = redisUrl(prefix);
    const a = worker(redis, cache, 'A');
    const r = await remote(cache);
    const ex = await executor(redis, r);
    const job = jobOf('slow');
    const done = ex.run(job, new Map());
    done.catch(() => {});
    // A has it (active in Redis), and is some way into it
    await waitFor('the job to be active on A', async () => (await (await ex.queue.getJob('n-' + job.key))?.getState()) === 'active', 30_000);
    await new Promise((res) => setTimeout(res, 300));
    expect(a.lines).toEqual([]);
    a.proc.kill('SIGKILL');
    await a.exited;
    const b = worker(redis, cache, 'B');
    const res = await Promise.race([done, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`the job did not finish within 90 s; B: ${b.lines.join(' | ')} ${b.stderr()}`)), 90_000))]);
    expect(res).toEqual({ machine: 'B' });
    const rec = (await r.getRecord(job.key))!;
    expect(rec.machine).toBe('B');
    expect(rec.outputs).toEqual(recs.slow.outputs); // the embedded run's bytes
    await waitFor('B\'s ran line', () => b.ran('slow').length === 1, 10_000);
    expect(b.lines.filter((l) => !l.startsWith('ran '))).toEqual([]);
  }, 180_000);

  it('flow worker refuses a local folder as --cache, and a bad --redis', async () => {
    const run = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((res) => {
      const c = spawn(process.execPath, [FLOW, 'worker', ...args], { cwd: tmp });
      children.add(c);
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      const t = setTimeout(() => c.kill('SIGKILL'), 30_000);
      c.on('close', (code) => { clearTimeout(t); children.delete(c); res({ code, stderr }); });
    });
    const folder = await run(['--redis', REDIS!, '--cache', join(tmp, 'here')]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/a worker needs the shared cache .*not a local folder/);
    const redis = await run(['--redis', 'http://127.0.0.1:1', '--cache', bucket('x')]);
    expect(redis.code).toBe(2);
    expect(redis.stderr).toMatch(/expected a redis:\/\/ or rediss:\/\/ URL/);
    const conc = await run(['--redis', REDIS!, '--cache', bucket('x'), '--concurrency', '65']);
    expect(conc.stderr).toMatch(/--concurrency 65: expected a whole number from 1 to 64/);
  }, 60_000);
});
