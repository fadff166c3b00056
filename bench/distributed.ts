// `npm run bench` part: the distributed executor against the embedded run, whole processes.
// A Redis of its own on a loopback port (Debian's redis-server; the part is skipped, saying
// so, without one) and an S3-compatible server (s3rver) in this process. Rows:
//   - workflows/multiverse.json, cold: embedded; coordinator + 1 and + 2 `flow worker`s
//   - per-job overhead: 200 tiny nodes (a matrix of derive copies), bullmq minus embedded, per node
//   - bytes moved: what the bucket holds after the run (uploads) and what the coordinator's
//     local cache received (downloads)
// The workers share this machine's 2 cores with the coordinator and the servers: a real
// cluster adds cores, this measures the protocol's cost.
//   npx tsx bench/distributed.ts [--reps N] [--tiny-only]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FLOW = join(REPO, 'bin/flow.js');
const args = process.argv.slice(2);
const REPS = Number(args[args.indexOf('--reps') + 1]) || 1;
const tinyOnly = args.includes('--tiny-only');
const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
const TINY = 200;

const root = mkdtempSync(join(tmpdir(), 'flow-bench-dist-'));
const children = new Set<ChildProcess>();
const cleanup = () => { for (const c of children) c.kill('SIGKILL'); rmSync(root, { recursive: true, force: true }); };
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

const sizeOf = (d: string): number => !existsSync(d) ? 0
  : readdirSync(d, { withFileTypes: true }).reduce((s, e) => s + (e.isDirectory() ? sizeOf(join(d, e.name)) : statSync(join(d, e.name)).size), 0);
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function redisUp(port: number): boolean {
  if (spawnSync('redis-server', ['--version']).status !== 0) return false;
  const r = spawnSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
    '--daemonize', 'yes', '--pidfile', join(root, 'redis.pid'), '--logfile', join(root, 'redis.log')]);
  if (r.status !== 0) return false;
  for (let i = 0; i < 50; i++) { if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().includes('PONG')) return true; spawnSync('sleep', ['0.1']); }
  return false;
}

function timed(argv: string[], cwd: string): Promise<{ ms: number; ok: boolean; err: string }> {
  return new Promise((res) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, [FLOW, ...argv], { cwd, env: { ...process.env, ...S3_ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr!.on('data', (d) => (err += d));
    c.on('close', (code) => res({ ms: performance.now() - t0, ok: code === 0, err }));
  });
}

function workers(n: number, redis: string, cache: string): ChildProcess[] {
  return Array.from({ length: n }, () => {
    const c = spawn(process.execPath, [FLOW, 'worker', '--redis', redis, '--cache', cache, '--exit-when-idle', '600'], { cwd: root, env: { ...process.env, ...S3_ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(c);
    return c;
  });
}

/** Stops the workers; the MB they downloaded from the bucket (each prints its total when it stops). */
async function stop(ws: ChildProcess[]): Promise<number> {
  const down = await Promise.all(ws.map((w) => new Promise<number>((res) => {
    let err = '';
    w.stderr!.on('data', (d) => (err += d));
    w.on('close', () => { children.delete(w); res(Number(/moved ([\d.]+) MB from the shared cache/.exec(err)?.[1] ?? NaN)); });
    w.kill('SIGTERM');
  })));
  return down.reduce((a, b) => a + b, 0);
}

async function main() {
  const port = 6390 + Math.floor(Math.random() * 8);
  if (!redisUp(port)) { console.log('distributed executor: skipped (no redis-server; apt-get install redis-server)'); return; }
  const { default: S3rver } = await import('s3rver');
  const s3dir = join(root, 's3');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir, configureBuckets: [{ name: 'flow', configs: [] }] });
  const s3Port = ((await server.run()) as { port: number }).port;
  let db = 0, n = 0;
  const redisDb = () => `redis://127.0.0.1:${port}/${++db % 16}`;
  const fresh = () => { const name = `b${++n}`; return { cache: `s3://flow/${name}?endpoint=http://127.0.0.1:${s3Port}`, local: join(root, `local-${name}`), bucketDir: join(s3dir, 'flow', name) }; };

  // a workflow of TINY trivial nodes, for the per-job cost
  const tiny = join(root, 'tiny');
  mkdirSync(join(tiny, 'data'), { recursive: true });
  writeFileSync(join(tiny, 'package.json'), '{"name":"tiny","private":true}');
  writeFileSync(join(tiny, 'data', 'x.csv'), 'id,v\n1,2\n2,3\n');
  writeFileSync(join(tiny, 'wf.json'), JSON.stringify({
    params: { f: 'd => 0' }, matrix: { f: Array.from({ length: TINY }, (_, i) => `d => ${i}`) },
    nodes: { data: { uses: 'load-csv', with: { path: 'data/x.csv' } }, scaled: { uses: 'derive', in: { table: 'data.table' }, with: { columns: { y: '$f' } } } },
  }));
  // (each copy adds a constant column to a 2-row table: one tiny job)

  const rows: string[][] = [];
  const best = async (f: () => Promise<{ ms: number; ok: boolean; err: string; extra?: string }>) => {
    let b: Awaited<ReturnType<typeof f>> | undefined;
    for (let i = 0; i < REPS; i++) { const r = await f(); if (!r.ok) return r; if (!b || r.ms < b.ms) b = r; }
    return b!;
  };
  const embedded = (wf: string, cwd: string) => best(() => timed(['run', wf, '--cache', join(root, `emb-${++n}`), '--no-out'], cwd));
  const viaQueue = (wf: string, cwd: string, k: number) => best(async () => {
    const { cache, local, bucketDir } = fresh();
    const redis = redisDb();
    spawnSync('redis-cli', ['-u', redis, 'flushdb']);
    const ws = workers(k, redis, cache);
    const r = await timed(['run', wf, '--cache', cache, '--local-cache', local, '--executor', 'bullmq', '--redis', redis, '--no-out'], cwd);
    const workersDown = await stop(ws);
    return { ...r, extra: `bucket ${mb(sizeOf(bucketDir))}, to the coordinator ${mb(sizeOf(join(local, 'objects')))}, to the workers ${workersDown.toFixed(1)} MB` };
  });

  const mvE = tinyOnly ? undefined : await embedded('workflows/multiverse.json', REPO);
  if (mvE) rows.push(['multiverse.json, embedded', mvE.ok ? sec(mvE.ms) : 'FAILED', '']);
  for (const k of tinyOnly ? [] : [1, 2]) {
    const r = await viaQueue('workflows/multiverse.json', REPO, k);
    rows.push([`multiverse.json, bullmq + ${k} worker${k > 1 ? 's' : ''}`, r.ok ? sec(r.ms) : `FAILED: ${r.err.split('\n')[0]}`, r.extra ?? '']);
  }
  const tE = await embedded('wf.json', tiny);
  const tQ = await viaQueue('wf.json', tiny, 1);
  rows.push([`${TINY + 1} tiny nodes, embedded`, tE.ok ? sec(tE.ms) : 'FAILED', '']);
  rows.push([`${TINY + 1} tiny nodes, bullmq + 1 worker`, tQ.ok ? sec(tQ.ms) : `FAILED: ${tQ.err.split('\n')[0]}`, tQ.extra ?? '']);
  if (tE.ok && tQ.ok) rows.push(['per-job overhead of the bullmq path', `${((tQ.ms - tE.ms) / (TINY + 1)).toFixed(1)} ms`, '(bullmq - embedded) / nodes']);

  const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  console.log(`\n| ${'run'.padEnd(w[0])} | ${'wall'.padEnd(w[1])} | bytes moved |`);
  console.log(`|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|-------------|`);
  for (const r of rows) console.log(`| ${r[0].padEnd(w[0])} | ${r[1].padEnd(w[1])} | ${r[2]} |`);
  console.log(`(best of ${REPS}; cold caches; workers, coordinator, Redis and s3rver on this machine's cores)`);
  await server.close();
  spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
}

await main();
