// `flow cache gc | ls | show | verify` on a shared cache (--cache s3://… or file://…): the same
// keep policy as a local gc (cache.ts keptKeys, over the shared runs/ entries), plus a grace
// period. A shared cache has no lock that every machine takes: a run elsewhere writes its
// objects, then its records, and its runs/ entry only when it ends, so anything younger than
// --grace (default 1h) is kept whatever the policy says. Removal order is records, then
// objects (a record never points at a removed object), then runs/ entries no kept result needs.
// Objects that are input files (uploaded for workers: the hashes in records' fp.files) are kept
// with their records.
import { FlowError } from '../errors.js';
import { sha256 } from '../graph/hash.js';
import { fingerprintKey } from '../graph/fingerprint.js';
import { recordProblem } from '../graph/shapes.js';
import { DETAIL_RUNS, lastUses, type JournalRun } from '../graph/journal.js';
import type { CacheRecord } from '../graph/store.js';
import type { Backend, Entry } from '../remote/backend.js';
import { fmtMs } from './common.js';
import { keptKeys, parseAge, showSets } from './cache.js';

export const kb = (n: number) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`);

/** Runs f over xs with at most `limit` at once (S3 round trips overlap); results in order. */
export async function mapLimit<T, R>(xs: T[], limit: number, f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async () => { for (let i = next++; i < xs.length; i = next++) out[i] = await f(xs[i], i); };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}

export async function entries(backend: Backend, prefix: string): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of backend.list(prefix)) out.push(e);
  return out;
}

export interface SharedRecord { entry: Entry; key: string; rec?: CacheRecord; error?: string }

const KEY = /^[0-9a-f]{64}$/;
const recordKey = (name: string) => name.slice('ac/'.length).replace(/\.json$/, '');

/** Every ac/ entry of a shared cache: its record, or why it is broken (as Store.records does locally). */
export async function sharedRecords(backend: Backend): Promise<SharedRecord[]> {
  const list = (await entries(backend, 'ac/')).filter((e) => e.name.endsWith('.json'));
  return mapLimit(list, 16, async (entry) => {
    const key = recordKey(entry.name);
    let rec: unknown;
    try {
      const bytes = await backend.get(entry.name);
      if (!bytes) return { entry, key, error: 'removed while listing' };
      rec = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (e) { return { entry, key, error: (e as Error).message }; }
    const bad = recordProblem(rec) ?? ((rec as CacheRecord).key !== key ? `its key is ${(rec as CacheRecord).key.slice(0, 12)}, not its name` : undefined);
    return bad ? { entry, key, error: bad } : { entry, key, rec: rec as CacheRecord };
  });
}

export interface SharedRun { entry: Entry; run?: JournalRun; error?: string }

const runProblem = (r: unknown): string | undefined => {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return 'not a JSON object';
  const x = r as Partial<JournalRun>;
  if (typeof x.at !== 'string' || Number.isNaN(Date.parse(x.at))) return 'no start time';
  if (typeof x.workflow !== 'string') return 'no workflow';
  if (x.sets !== undefined && (typeof x.sets !== 'object' || x.sets === null || Array.isArray(x.sets))) return '"sets" is not an object';
  if (x.nodes !== undefined && (typeof x.nodes !== 'object' || x.nodes === null)) return '"nodes" is not an object';
  return undefined;
};

/** Every runs/ entry of a shared cache (oldest run first), or why it is broken. */
export async function sharedRuns(backend: Backend): Promise<SharedRun[]> {
  const list = (await entries(backend, 'runs/')).filter((e) => e.name.endsWith('.json'));
  const out = await mapLimit(list, 16, async (entry): Promise<SharedRun> => {
    let r: unknown;
    try {
      const bytes = await backend.get(entry.name);
      if (!bytes) return { entry, error: 'removed while listing' };
      r = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (e) { return { entry, error: (e as Error).message }; }
    const bad = runProblem(r);
    return bad ? { entry, error: bad } : { entry, run: { ...(r as JournalRun), sets: (r as JournalRun).sets ?? {} } };
  });
  return out.sort((a, b) => (a.run?.at ?? '').localeCompare(b.run?.at ?? '') || a.entry.name.localeCompare(b.entry.name));
}

async function open(url: string, readOnly: boolean) {
  const { openRemote } = await import('../remote/open.js');
  return openRemote(url, undefined, { readOnly, warn: (m) => process.stderr.write(`warning: ${m}\n`) });
}

type GcOpts = { cache?: string; dryRun?: boolean; keepRuns?: string; keep?: string; grace?: string };

export async function sharedGc(url: string, o: GcOpts): Promise<void> {
  const runs = o.keepRuns === undefined ? 1 : Number(o.keepRuns);
  if (!Number.isInteger(runs) || runs < 1 || runs > DETAIL_RUNS) throw new FlowError('validate', `--keep-runs ${o.keepRuns}: expected a whole number from 1 to ${DETAIL_RUNS}`);
  const now = Date.now();
  const since = o.keep === undefined ? -Infinity : now - parseAge(o.keep, '--keep');
  const grace = parseAge(o.grace ?? '1h', '--grace');
  const young = (e: Entry) => now - e.mtimeMs < grace;
  const remote = await open(url, !!o.dryRun);
  const backend = remote.backend;
  try {
    // the run list first: a record written after this listing is younger than the grace period
    const runEntries = await sharedRuns(backend);
    const journal = runEntries.flatMap((r) => (r.run ? [r.run] : []));
    const used = new Set<JournalRun>();
    const keep = keptKeys(journal, [], runs, since, used);
    const lastUse = lastUses(journal);

    const live = new Set<string>();
    const drop: Entry[] = [];
    const gone: { node: string; where: string; at: string; bytes: number }[] = [];
    let graced = 0;
    const records = await sharedRecords(backend);
    for (const r of records) {
      const kept = r.rec && keep.has(r.key);
      if (kept || young(r.entry)) {
        if (!kept) graced++;
        if (r.rec) {
          for (const x of Object.values(r.rec.outputs)) live.add(x.hash);
          // the input files a coordinator uploaded for the workers (cas/<sha256 of the file>)
          for (const h of Object.values(r.rec.fingerprint?.files ?? {})) if (typeof h === 'string') live.add(h);
        }
        continue;
      }
      drop.push(r.entry);
      const use = lastUse.get(r.key);
      const where = use ? [use.workflow, showSets(use.sets ?? {})].filter(Boolean).join(' ') : `${r.rec?.workflow ?? '?'} (no run on this cache used it)`;
      gone.push({ node: r.rec?.node ?? r.key.slice(0, 12), where, at: use?.at ?? r.rec?.at ?? '', bytes: r.entry.size + Object.values(r.rec?.outputs ?? {}).reduce((a, x) => a + x.size, 0) });
    }
    const nRec = drop.length;
    for (const e of await entries(backend, 'cas/')) {
      if (live.has(e.name.slice('cas/'.length))) continue;
      if (young(e)) { graced++; continue; }
      drop.push(e);
    }
    const nObj = drop.length - nRec;
    // the runs/ entries keptKeys needed (and the latest run of each variant: its node list
    // says which nodes the workflow still has), or too young to judge
    const latest = new Map<string, JournalRun>();
    for (const r of journal) if (Date.parse(r.at) >= since) latest.set(JSON.stringify([r.workflow, r.sets]), r);
    const latestRuns = new Set(latest.values());
    for (const r of runEntries) {
      if (young(r.entry) || (r.run && (used.has(r.run) || latestRuns.has(r.run)))) continue;
      drop.push(r.entry);
    }
    const nRuns = drop.length - nObj - nRec;
    const bytes = drop.reduce((a, e) => a + e.size, 0);

    if (o.dryRun) {
      const w = Math.min(32, Math.max(4, ...gone.map((g) => g.node.length)));
      for (const g of gone.sort((a, b) => a.where.localeCompare(b.where) || a.node.localeCompare(b.node))) process.stdout.write(`  would remove  ${g.node.padEnd(w)}  ${g.where}  (last used ${g.at || 'never'}, ${kb(g.bytes)})\n`);
    } else {
      // records first: once no record points at an object, the object can go
      await mapLimit(drop.slice(0, nRec), 16, (e) => backend.remove(e.name));
      await mapLimit(drop.slice(nRec), 16, (e) => backend.remove(e.name));
    }
    const policy = `the last ${runs === 1 ? 'run' : `${runs} runs`} of each workflow and each set of --set overrides${o.keep ? ` within ${o.keep}` : ''}`;
    process.stdout.write(`${o.dryRun ? 'would remove' : 'removed'} ${nRec} records, ${nObj} objects, ${nRuns} run entries (${kb(bytes)}) from ${backend.display}; kept ${keep.size} results used by ${policy}, and ${graced} entries younger than the grace period (${o.grace ?? '1h'})\n`);
  } finally { await remote.close(); }
}

type LsOpts = { cache?: string; json?: boolean; fix?: boolean; node?: string; workflow?: string };

export async function sharedLs(url: string, o: LsOpts): Promise<void> {
  const remote = await open(url, true);
  try {
    const all = (await sharedRecords(remote.backend)).flatMap((r) => (r.rec ? [r.rec] : [])).sort((a, b) => a.at.localeCompare(b.at));
    const { lsFilter, lsTable, lsFooter } = await import('./cache.js');
    const recs = all.filter(lsFilter(o));
    if (o.json) { for (const r of recs) process.stdout.write(JSON.stringify({ key: r.key, node: r.node, type: r.fingerprint.type, workflow: r.workflow, ms: r.ms, at: r.at, outputs: r.outputs, ...(r.machine ? { machine: r.machine } : {}) }) + '\n'); return; }
    process.stdout.write(lsTable(recs) + lsFooter(recs.length, all.length, remote.backend.display, o) + '\n');
  } finally { await remote.close(); }
}

export async function sharedShow(url: string, key: string): Promise<void> {
  const remote = await open(url, true);
  try {
    const matches = (await entries(remote.backend, 'ac/')).map((e) => recordKey(e.name)).filter((k) => k.startsWith(key));
    if (matches.length !== 1) throw new FlowError('cache', matches.length ? `key prefix ${key} matches ${matches.length} records; give more characters` : `no record with key ${key} in ${remote.backend.display}; \`flow cache ls --cache ${url}\` lists them`);
    const rec = (await sharedRecords(remote.backend)).find((r) => r.key === matches[0])!;
    if (!rec.rec) throw new FlowError('cache', `record ${rec.key} is unreadable (${rec.error}); run \`flow cache verify --fix --cache ${url}\``);
    const outputs = Object.fromEntries(await Promise.all(Object.entries(rec.rec.outputs).map(async ([p, x]) => [p, { ...x, present: await remote.backend.has(`cas/${x.hash}`) }])));
    process.stdout.write(JSON.stringify({ ...rec.rec, outputs }, null, 2) + '\n');
  } finally { await remote.close(); }
}

/** Re-hashes every cas/ object, checks every ac/ record and runs/ entry; --fix removes the broken ones. */
export async function sharedVerify(url: string, o: LsOpts): Promise<void> {
  const remote = await open(url, !o.fix);
  const backend = remote.backend;
  try {
    const problems: string[] = [];
    const fix: string[] = [];
    const objects = await entries(backend, 'cas/');
    const present = new Set<string>();
    await mapLimit(objects, 16, async (e) => {
      const hash = e.name.slice('cas/'.length);
      const bytes = await backend.get(e.name);
      if (!bytes) return; // removed meanwhile
      if (!KEY.test(hash) || sha256(bytes) !== hash) { problems.push(`object ${hash.slice(0, 12)}: content does not match its hash`); fix.push(e.name); return; }
      present.add(hash);
    });
    const records = await sharedRecords(backend);
    for (const r of records) {
      if (!r.rec) { problems.push(`record ${r.key.slice(0, 12)}: broken (${r.error})`); fix.push(r.entry.name); continue; }
      if (fingerprintKey(r.rec.fingerprint) !== r.key) { problems.push(`record ${r.key.slice(0, 12)}: its fingerprint does not hash to its key`); fix.push(r.entry.name); continue; }
      for (const [port, x] of Object.entries(r.rec.outputs)) {
        if (!present.has(x.hash)) { problems.push(`record ${r.key.slice(0, 12)} (${r.rec.node}): output ${port} -> missing or corrupt object ${x.hash.slice(0, 12)}`); fix.push(r.entry.name); break; }
      }
    }
    const runs = await sharedRuns(backend);
    for (const r of runs) if (r.error) { problems.push(`run entry ${r.entry.name}: broken (${r.error})`); fix.push(r.entry.name); }
    process.stdout.write(`checked ${objects.length} objects, ${records.length} records, ${runs.length} run entries in ${backend.display}\n`);
    if (!problems.length) { process.stdout.write('cache ok\n'); return; }
    for (const p of problems.sort()) process.stdout.write(`  problem: ${p}\n`);
    if (o.fix) {
      // records before objects
      const order = [...fix].sort((a, b) => Number(a.startsWith('cas/')) - Number(b.startsWith('cas/')));
      for (const n of order) await backend.remove(n);
      process.stdout.write(`removed ${fix.length} broken entries; the next run recomputes them\n`);
    } else {
      process.stdout.write(`${problems.length} problems; \`flow cache verify --fix --cache ${url}\` removes the broken entries\n`);
      process.exitCode = 1;
    }
  } finally { await remote.close(); }
}
