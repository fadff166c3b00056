// The shared cache over both backends: a shared folder (file://) and an S3 bucket (s3rver,
// in-process on a free port). The same suite runs over each; the backend-specific traps
// (s3rver's aws-chunked framing and ignored IfNoneMatch) are covered by the round trips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { startS3 } from './s3.js';
import { Store, type CacheRecord } from '../../src/graph/store.js';
import { ReadOnly, type Backend } from '../../src/remote/backend.js';
import { RemoteCache } from '../../src/remote/remote-cache.js';
import { openBackend, openRemote, parseCacheUrl } from '../../src/remote/open.js';
import { FlowError } from '../../src/errors.js';
import type { JournalRun } from '../../src/graph/journal.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const tmp = mkdtempSync(join(tmpdir(), 'flow-remote-'));
let s3: Awaited<ReturnType<typeof startS3>> | undefined;
let endpoint = '';
let seq = 0;

beforeAll(async () => { s3 = await startS3(join(tmp, 's3rver')); endpoint = s3.endpoint; });

afterAll(async () => {
  await s3?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh, empty shared cache of each kind: its URL (suffix: extra query, e.g. readonly=1). */
const kinds = [
  { kind: 'shared dir', url: (n: string, q = '') => pathToFileURL(join(tmp, 'shared', n)).href + (q ? `?${q}` : '') },
  { kind: 's3', url: (n: string, q = '') => `s3://flow/runs-${n}/cache?endpoint=${endpoint}${q ? `&${q}` : ''}` },
];

const localStore = () => new Store(mkdtempSync(join(tmp, 'local-')));

/** A record with one output per byte string, its objects put into `local`. */
function record(local: Store | undefined, outputs: Record<string, Uint8Array>, node = 'est'): CacheRecord {
  const refs: CacheRecord['outputs'] = {};
  for (const [port, bytes] of Object.entries(outputs)) {
    if (local) local.putObject(bytes);
    refs[port] = { hash: sha(bytes), type: 'json', size: bytes.byteLength };
  }
  const fingerprint = { engine: 3, type: 't', version: 1, code: 'c', params: { node, n: seq++ }, inputs: {}, files: {} };
  return { key: sha(JSON.stringify(fingerprint)), fingerprint, outputs: refs, ms: 12, node, workflow: 'wf.json', at: '2025-01-02T03:04:05.000Z' };
}

async function names(b: Backend, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of b.list(prefix)) out.push(e.name);
  return out.sort();
}

const run = (at: string, workflow = 'wf.json'): JournalRun => ({ at, ms: 5, workflow, sets: {}, flow: '0.1.0', ran: ['a'], hit: [], failed: [], skipped: [] });

describe.each(kinds)('shared cache: $kind', ({ kind, url }) => {
  let n = 0;
  const fresh = async (q = '') => openBackend(url(`${kind.replace(' ', '')}${n++}`, q));

  it('puts, gets, lists and removes blobs', async () => {
    const b = await fresh();
    const h = sha('hello');
    expect(await b.get(`cas/${h}`)).toBeUndefined();
    expect(await b.has(`cas/${h}`)).toBe(false);
    await b.put(`cas/${h}`, Buffer.from('hello'));
    await b.put('ac/' + 'a'.repeat(64) + '.json', Buffer.from('{"x":1}'));
    await b.put('runs/r1.json', Buffer.from('[]'));
    expect(Buffer.from((await b.get(`cas/${h}`))!).toString()).toBe('hello');
    expect(await b.has(`cas/${h}`)).toBe(true);
    expect(await names(b, 'cas/')).toEqual([`cas/${h}`]);
    expect(await names(b, 'ac/')).toEqual(['ac/' + 'a'.repeat(64) + '.json']);
    expect(await names(b, 'runs/')).toEqual(['runs/r1.json']);
    const entries = [];
    for await (const e of b.list('cas/')) entries.push(e);
    expect(entries[0].size).toBe(5);
    expect(Math.abs(entries[0].mtimeMs - Date.now())).toBeLessThan(60_000);
    await b.remove(`cas/${h}`);
    await b.remove(`cas/${h}`); // removing what is not there is fine
    expect(await b.has(`cas/${h}`)).toBe(false);
    expect(await names(b, 'cas/')).toEqual([]);
    await b.close();
  });

  it('keeps the first bytes on a put without overwrite, replaces them with overwrite', async () => {
    const b = await fresh();
    await b.put('ac/k.json', Buffer.from('first'));
    await b.put('ac/k.json', Buffer.from('second'));
    expect(Buffer.from((await b.get('ac/k.json'))!).toString()).toBe('first');
    await b.put('ac/k.json', Buffer.from('third'), { overwrite: true });
    expect(Buffer.from((await b.get('ac/k.json'))!).toString()).toBe('third');
    await b.close();
  });

  it('round-trips a 3,000,000-byte object byte for byte (no aws-chunked framing kept)', async () => {
    const b = await fresh();
    const big = randomBytes(3_000_000);
    await b.put(`cas/${sha(big)}`, big);
    const back = (await b.get(`cas/${sha(big)}`))!;
    expect(back.byteLength).toBe(3_000_000);
    expect(sha(back)).toBe(sha(big));
    const [e] = await (async () => { const xs = []; for await (const x of b.list('cas/')) xs.push(x); return xs; })();
    expect(e.size).toBe(3_000_000);
    await b.close();
  });

  it('push then pull into another machine\'s local store; moved counts the real bytes', async () => {
    const u = url(`moved${n++}`);
    const big = randomBytes(3_000_000);
    const small = Buffer.from('{"beta":0.5}');
    const a = localStore();
    const rec = record(a, { table: big, model: small, again: small });
    const up = await openRemote(u, a);
    await up.push(rec);
    expect(up.moved).toEqual({ down: 0, downBytes: 0, up: 2, upBytes: 3_000_012 });
    await up.push(rec); // known present: nothing sent again
    expect(up.moved.up).toBe(2);
    expect((await names(up.backend, '')).sort()).toEqual([`ac/${rec.key}.json`, `cas/${sha(big)}`, `cas/${sha(small)}`].sort());

    const b = localStore();
    const down = await openRemote(u, b);
    expect(b.getRecord(rec.key)).toBeUndefined();
    const got = await down.pull(rec.key);
    expect(got).toEqual(rec);
    expect(down.moved).toEqual({ down: 2, downBytes: 3_000_012, up: 0, upBytes: 0 });
    expect(b.getRecord(rec.key)).toEqual(rec);
    expect(sha(b.getObject(sha(big)))).toBe(sha(big));
    await down.pull(rec.key); // the local store has the objects now
    expect(down.moved.down).toBe(2);
    expect(await down.pull('f'.repeat(64))).toBeUndefined(); // no such record
    await up.close();
    await down.close();
  });

  it('a corrupt object is a miss, warned of once; a push afterwards repairs it', async () => {
    const u = url(`corrupt${n++}`);
    const bytes = Buffer.from('the estimate');
    const a = localStore();
    const rec = record(a, { out: bytes });
    const first = await openRemote(u, a);
    await first.push(rec);
    const h = sha(bytes);
    await first.backend.put(`cas/${h}`, Buffer.from('the estimatE'), { overwrite: true }); // flipped in the bucket

    const warnings: string[] = [];
    const b = localStore();
    const second = await openRemote(u, b, { warn: (m) => warnings.push(m) });
    expect(await second.pull(rec.key)).toBeUndefined();
    expect(await second.pull(rec.key)).toBeUndefined();
    expect(warnings).toEqual([`artifact ${h.slice(0, 12)} in the shared cache ${second.display} is corrupt (its bytes do not hash to its name): not used; the next upload of it replaces it`]);
    expect(b.getRecord(rec.key)).toBeUndefined();
    expect(b.hasObject(h)).toBe(false);
    expect(await second.hasObject(h)).toBe(false);

    // the node runs again on this machine and its result is pushed: the corrupt copy is replaced
    b.putObject(bytes);
    b.putRecord(rec);
    await second.push(rec);
    expect(second.moved).toEqual({ down: 2, downBytes: 24, up: 1, upBytes: 12 });
    const c = localStore();
    const third = await openRemote(u, c, { warn: (m) => warnings.push(m) });
    expect(await third.pull(rec.key)).toEqual(rec);
    expect(Buffer.from(c.getObject(h)).toString()).toBe('the estimate');
    expect(warnings.length).toBe(1);
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  it('a missing object is a miss, warned of once', async () => {
    const u = url(`missing${n++}`);
    const a = localStore();
    const rec = record(a, { out: Buffer.from('x1') });
    const rc = await openRemote(u, a);
    await rc.push(rec);
    await rc.backend.remove(`cas/${sha('x1')}`);
    const warnings: string[] = [];
    const other = await openRemote(u, localStore(), { warn: (m) => warnings.push(m) });
    expect(await other.pull(rec.key)).toBeUndefined();
    expect(warnings).toEqual([`artifact ${sha('x1').slice(0, 12)} (node est) is missing from the shared cache ${other.display}: the node runs again`]);
    await Promise.all([rc.close(), other.close()]);
  });

  it('a record file that is not a record, or is filed under another key, is a miss', async () => {
    const u = url(`badrec${n++}`);
    const a = localStore();
    const rec = record(a, { out: Buffer.from('y') });
    const other = record(a, { out: Buffer.from('z') });
    const rc = await openRemote(u, a);
    await rc.push(rec);
    const warnings: string[] = [];
    const reader = await openRemote(u, localStore(), { warn: (m) => warnings.push(m) });
    expect(await reader.pull(rec.key)).toEqual(rec);

    await rc.backend.put(`ac/${rec.key}.json`, Buffer.from(JSON.stringify({ ...rec, outputs: null })), { overwrite: true });
    const r1 = await openRemote(u, localStore(), { warn: (m) => warnings.push(m) });
    expect(await r1.pull(rec.key)).toBeUndefined();
    await rc.backend.put(`ac/${rec.key}.json`, Buffer.from(JSON.stringify(other)), { overwrite: true });
    expect(await r1.getRecord(rec.key)).toBeUndefined();
    await rc.backend.put(`ac/${other.key}.json`, Buffer.from('{not json'), { overwrite: true });
    expect(await r1.pull(other.key)).toBeUndefined();
    expect(warnings).toEqual([
      `the shared cache ${r1.display} has a broken record for key ${rec.key.slice(0, 12)} ("outputs" is not an object): not used`,
      `the shared cache ${r1.display} has a broken record for key ${other.key.slice(0, 12)} (not JSON): not used`,
    ]);
    expect(r1.moved.down).toBe(0);
    await Promise.all([rc.close(), reader.close(), r1.close()]);
  });

  it('read-only: push writes nothing and warns once; a refused write does the same', async () => {
    const u = url(`ro${n++}`);
    const a = localStore();
    const rec = record(a, { out: Buffer.from('ro') });
    const warnings: string[] = [];
    const ro = await openRemote(u, a, { readOnly: true, warn: (m) => warnings.push(m) });
    await ro.push(rec);
    await ro.push(record(a, { out: Buffer.from('ro2') }));
    await ro.recordRun(run('2025-01-01T00:00:00.000Z'));
    expect(await names(ro.backend, '')).toEqual([]);
    expect(ro.moved.up).toBe(0);
    expect(warnings).toEqual([`the shared cache ${ro.display} is used read-only: results stay in the local cache`]);
    await expect(ro.putObject(Buffer.from('p'))).rejects.toBeInstanceOf(ReadOnly);

    // readonly=1 in the URL: the backend refuses writes; a RemoteCache not told so learns it
    const w2: string[] = [];
    const backend = await openBackend(u + (u.includes('?') ? '&' : '?') + 'readonly=1');
    await expect(backend.put('ac/x.json', Buffer.from('{}'))).rejects.toThrow(`the shared cache ${backend.display} is read-only for these credentials`);
    const learns = new RemoteCache(backend, a, { warn: (m) => w2.push(m) });
    await learns.push(rec);
    await learns.push(rec);
    expect(w2).toEqual([`the shared cache ${backend.display} is read-only for these credentials: results stay in the local cache`]);
    expect(await names(ro.backend, '')).toEqual([]);
    await Promise.all([ro.close(), learns.close()]);
  });

  it('objects, records and runs for the coordinator and workers', async () => {
    const u = url(`api${n++}`);
    const a = localStore();
    const rc = await openRemote(u, a);
    const bytes = Buffer.from('input file');
    expect(await rc.putObject(bytes)).toBe(sha(bytes));
    expect(await rc.putObject(bytes)).toBe(sha(bytes));
    expect(rc.moved.up).toBe(1);
    expect(await rc.hasObject(sha(bytes))).toBe(true);
    expect(Buffer.from((await rc.getObject(sha(bytes)))!).toString()).toBe('input file');
    expect(await rc.getObject(sha('nothing'))).toBeUndefined();

    const made = Buffer.from('made locally');
    a.putObject(made);
    await rc.ensureObject(sha(made));
    await rc.ensureObject(sha(made));
    expect(rc.moved).toEqual({ down: 1, downBytes: 10, up: 2, upBytes: 22 });

    // a worker keeps no local store: it reads and writes objects and records directly
    const worker = await openRemote(u, undefined);
    const rec = record(undefined, { out: made });
    await worker.putRecord(rec);
    expect(await worker.getRecord(rec.key)).toEqual(rec);
    await expect(worker.pull(rec.key)).rejects.toThrow('RemoteCache.pull needs a local store, and this one has none (a flow worker keeps nothing locally)');
    await expect(worker.push(rec)).rejects.toThrow('RemoteCache.push needs a local store');

    await rc.recordRun(run('2025-03-01T10:00:00.000Z', 'b.json'));
    await rc.recordRun(run('2025-02-01T10:00:00.000Z', 'a.json'));
    await rc.backend.put('runs/broken.json', Buffer.from('{"at": 1}'));
    await rc.backend.put('runs/garbage.json', Buffer.from('nope'));
    const runs = await worker.runs();
    expect(runs.map((r) => r.workflow)).toEqual(['a.json', 'b.json']);
    expect(runs[0]).toEqual(run('2025-02-01T10:00:00.000Z', 'a.json'));
    expect((await names(rc.backend, 'runs/')).filter((x) => x.startsWith('runs/2025-02-01T10-00-00.000Z-')).length).toBe(1);
    await Promise.all([rc.close(), worker.close()]);
  });
});

describe('shared dir layout', () => {
  it('shards cas/ and ac/, writes through tmp/ and leaves nothing there', async () => {
    const root = join(tmp, 'layout');
    const b = await openBackend(pathToFileURL(root).href);
    const h = sha('abc');
    await b.put(`cas/${h}`, Buffer.from('abc'));
    await b.put(`ac/${h}.json`, Buffer.from('{}'));
    await b.put(`ac/${h}.json`, Buffer.from('{"x":2}'), { overwrite: true });
    expect(readFileSync(join(root, 'cas', h.slice(0, 2), h.slice(2)), 'utf8')).toBe('abc');
    expect(readFileSync(join(root, 'ac', h.slice(0, 2), h.slice(2) + '.json'), 'utf8')).toBe('{"x":2}');
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(b.display).toBe(pathToFileURL(root).href);
    await expect(b.get('../etc/passwd')).rejects.toThrow('not a cache entry name');
  });
});

describe('s3 errors', () => {
  it('names an unreachable server and a missing bucket', async () => {
    const down = await openBackend('s3://flow/x?endpoint=http://127.0.0.1:1');
    await expect(down.get('cas/abc')).rejects.toThrow('cannot read cas/abc in the shared cache s3://flow/x?endpoint=http://127.0.0.1:1: cannot reach the server (ECONNREFUSED: is http://127.0.0.1:1 running?)');
    const none = await openBackend(`s3://nobucket/x?endpoint=${endpoint}`);
    await expect(none.put('ac/k.json', Buffer.from('{}'), { overwrite: true })).rejects.toThrow(`cannot write ac/k.json in the shared cache s3://nobucket/x?endpoint=${endpoint}: bucket nobucket does not exist`);
    await Promise.all([down.close(), none.close()]);
  });
});

describe('--cache URLs', () => {
  const message = (url: string) => {
    try { parseCacheUrl(url); } catch (e) {
      expect(e).toBeInstanceOf(FlowError);
      expect((e as FlowError).kind).toBe('validate');
      return (e as Error).message;
    }
    throw new Error(`${url} was accepted`);
  };

  it('rejects malformed URLs, naming --cache and the form expected', async () => {
    expect(message('s3:///prefix')).toBe('--cache "s3:///prefix": no bucket: s3://bucket/prefix');
    expect(message('file://relative/cache')).toBe('--cache "file://relative/cache": a shared folder needs an absolute path: file:///absolute/path (three slashes)');
    expect(message('gs://bucket/x')).toBe('--cache "gs://bucket/x": unknown scheme gs://; a shared cache is file:///absolute/path or s3://bucket/prefix?endpoint=http://host:port');
    expect(message('s3://flow/x?endpoint=localhost')).toBe('--cache "s3://flow/x?endpoint=localhost": endpoint=localhost is not a URL: use endpoint=http://host:port');
    expect(message('s3://flow/x?endpoint=ftp://h:21')).toBe('--cache "s3://flow/x?endpoint=ftp://h:21": endpoint=ftp://h:21: use http:// or https://');
    expect(message('s3://flow/x?endpoint=http://h:9000/flow')).toBe('--cache "s3://flow/x?endpoint=http://h:9000/flow": endpoint=http://h:9000/flow: only http://host:port (no path); the bucket and prefix go in s3://bucket/prefix');
    expect(message('s3://flow/x?endpiont=http://h:1')).toBe('--cache "s3://flow/x?endpiont=http://h:1": unknown option endpiont (s3:// takes endpoint, region, readonly)');
    expect(message('s3://KEY:SECRET@flow/x')).toBe('--cache "s3://KEY:SECRET@flow/x": credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(message('s3://Flow_/x')).toBe('--cache "s3://Flow_/x": "Flow_" is not a bucket name (3-63 lower-case letters, digits, dots, hyphens)');
    expect(message('s3://flow/x?readonly=yes')).toBe('--cache "s3://flow/x?readonly=yes": readonly=yes: use readonly=1');
    await expect(openBackend('cache-dir')).rejects.toThrow('--cache "cache-dir": not a URL; a shared cache is file:///absolute/path');
  });

  it('parses what it accepts; the display has no secrets', () => {
    expect(parseCacheUrl('s3://flow/team/cache/?endpoint=http://127.0.0.1:9000&region=eu-west-1&readonly=1')).toEqual({
      scheme: 's3', bucket: 'flow', prefix: 'team/cache', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', readOnly: true,
      display: 's3://flow/team/cache?endpoint=http://127.0.0.1:9000',
    });
    expect(parseCacheUrl('s3://flow')).toMatchObject({ bucket: 'flow', prefix: '', endpoint: undefined, readOnly: false, display: 's3://flow' });
    expect(parseCacheUrl('file:///srv/flow%20cache/')).toEqual({ scheme: 'file', root: '/srv/flow cache', readOnly: false, display: 'file:///srv/flow%20cache' });
  });
});
