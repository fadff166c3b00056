// flow cache ls | show <key> | gc [--dry-run] [--keep-runs N] [--keep AGE] [--grace AGE] | verify [--fix] [--recompute N [--seed S]]
// A --cache URL (s3://…, file://…) names a shared cache: remote-gc.ts; --recompute: recompute.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { FlowError } from '../errors.js';
import { openStore, fmtMs } from './common.js';
import { sha256 } from '../graph/hash.js';
import { fingerprintKey, type Fingerprint } from '../graph/fingerprint.js';
import { planProblem, statsProblem } from '../graph/shapes.js';
import { withLock, waitForLeases } from '../graph/lock.js';
import { DETAIL_RUNS, lastUses, readJournal, variantOf, type JournalRun } from '../graph/journal.js';
import type { CacheRecord, Store } from '../graph/store.js';
import { isRemoteUrl } from '../remote/backend.js';

type Opts = { node?: string; workflow?: string; cache?: string; localCache?: string; json?: boolean; dryRun?: boolean; fix?: boolean; keepRuns?: string; keep?: string; grace?: string; recompute?: string; seed?: string };
const shared = () => import('./remote-gc.js');
const kb = (n: number) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`);

export async function cacheLs(o: Opts): Promise<void> {
  if (isRemoteUrl(o.cache)) return (await shared()).sharedLs(o.cache, o);
  const store = openStore(o.cache);
  const all = [...store.records()].filter((r) => r.rec).map((r) => r.rec!).sort((a, b) => a.at.localeCompare(b.at));
  const recs = all.filter(lsFilter(o));
  if (o.json) { for (const r of recs) process.stdout.write(JSON.stringify({ key: r.key, node: r.node, type: r.fingerprint.type, workflow: r.workflow, ms: r.ms, at: r.at, outputs: r.outputs }) + '\n'); return; }
  process.stdout.write(lsTable(recs) + lsFooter(recs.length, all.length, store.dir, o) + '\n');
}

export interface LsFilter { node?: string; workflow?: string }
type LsRec = Pick<CacheRecord, 'key' | 'node' | 'workflow' | 'ms' | 'at' | 'outputs'> & { fingerprint: { type: string } };

/** --node ID (a declared id matches its matrix copies: fe_ris matches fe_ris[delta=0.09]) and
 * --workflow FILE (its path as recorded, or its end: paper.json matches workflows/paper.json). */
export function lsFilter(o: LsFilter): (r: LsRec) => boolean {
  const wf = o.workflow?.replace(/\\/g, '/').replace(/^\.\//, '');
  return (r) => (!o.node || r.node === o.node || r.node.startsWith(`${o.node}[`))
    && (!wf || r.workflow === wf || r.workflow.endsWith(`/${wf}`));
}

/** The records as a table with a header, each column as wide as its widest cell. */
export function lsTable(recs: LsRec[]): string {
  const head = ['KEY', 'TYPE', 'NODE', 'SIZE', 'TIME', 'WHEN', 'WORKFLOW'];
  const right = new Set([3, 4]);
  const rows = recs.map((r) => [r.key.slice(0, 12), r.fingerprint.type, r.node, kb(Object.values(r.outputs).reduce((s, x) => s + x.size, 0)), fmtMs(r.ms), r.at.slice(0, 19).replace('T', ' '), r.workflow]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : right.has(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ')).join('\n') + '\n';
}

export const lsFooter = (shown: number, all: number, where: string, o: LsFilter) =>
  `${shown} record${shown === 1 ? '' : 's'}${o.node || o.workflow ? ` of ${all} (${[o.node && `--node ${o.node}`, o.workflow && `--workflow ${o.workflow}`].filter(Boolean).join(', ')})` : ''} in ${where}`;

export async function cacheShow(key: string, o: Opts): Promise<void> {
  if (isRemoteUrl(o.cache)) return (await shared()).sharedShow(o.cache, key);
  const store = openStore(o.cache);
  const matches = [...store.records()].filter((r) => r.key.startsWith(key));
  if (matches.length !== 1) throw new FlowError('cache', matches.length ? `key prefix ${key} matches ${matches.length} records; give more characters` : `no record with key ${key}; \`flow cache ls\` lists them`);
  const m = matches[0];
  if (!m.rec) throw new FlowError('cache', `record ${m.key} is unreadable (${m.error}); run \`flow cache verify --fix\``);
  const outputs = Object.fromEntries(Object.entries(m.rec.outputs).map(([p, x]) => [p, { ...x, present: store.hasObject(x.hash) }]));
  process.stdout.write(JSON.stringify({ ...m.rec, outputs }, null, 2) + '\n');
}

/**
 * Checks every file of the cache: objects against their hashes, records, run states, cached
 * plans and the stat cache against their shapes (shapes.ts). `--fix` removes the broken ones
 * (the next run recomputes or rebuilds them), holding the `cache` lock as gc does: it waits for
 * runs in progress, and runs wait for it.
 */
export async function cacheVerify(o: Opts): Promise<void> {
  if (o.recompute !== undefined) {
    if (o.fix) throw new FlowError('validate', '--recompute and --fix: --recompute only reports (it writes nothing); run them one at a time');
    return (await import('./recompute.js')).recomputeCommand({ ...o, recompute: o.recompute });
  }
  if (o.seed !== undefined) throw new FlowError('validate', '--seed goes with --recompute N (which records to re-run)');
  if (isRemoteUrl(o.cache)) return (await shared()).sharedVerify(o.cache, o);
  const store = openStore(o.cache);
  if (!o.fix) return verify(store, false);
  await withLock(store.dir, 'cache', async () => {
    await waitForLeases(store.dir, (held) => process.stderr.write(`waiting for ${held.length} flow run${held.length > 1 ? 's' : ''} in progress to finish\n`));
    verify(store, true);
  }, { onWait: () => process.stderr.write('waiting for flow cache gc to finish\n') });
}

function verify(store: Store, fixing: boolean): void {
  const problems: string[] = [];
  const fix = (p: string) => { if (fixing) store.remove(p); };
  let nObj = 0, nRec = 0;
  for (const [p, name] of store.objects()) {
    nObj++;
    let bytes: Buffer;
    try { bytes = readFileSync(p); } catch (e) { problems.push(`object ${name.slice(0, 12)}: ${(e as NodeJS.ErrnoException).code === 'EISDIR' ? 'a directory, not a file' : (e as Error).message}`); fix(p); continue; }
    if (sha256(bytes) !== name) { problems.push(`object ${name.slice(0, 12)}: content does not match its hash`); fix(p); }
  }
  for (const r of store.records()) {
    nRec++;
    if (!r.rec) { problems.push(`record ${r.key.slice(0, 12)}: broken (${r.error})`); fix(r.path); continue; }
    const rec: CacheRecord = r.rec;
    if (rec.key !== r.key || fingerprintKey(rec.fingerprint as Fingerprint) !== r.key) { problems.push(`record ${r.key.slice(0, 12)}: its fingerprint does not hash to its key`); fix(r.path); continue; }
    for (const [port, x] of Object.entries(rec.outputs)) {
      if (!store.hasObject(x.hash)) { problems.push(`record ${r.key.slice(0, 12)} (${rec.node}): output ${port} -> missing object ${x.hash.slice(0, 12)}`); fix(r.path); break; }
    }
  }
  const rel = (p: string) => relative(store.dir, p);
  for (const s of store.stateFiles()) if (s.error) { problems.push(`run state ${rel(s.path)}: broken (${s.error})`); fix(s.path); }
  for (const p of store.planFiles()) {
    let bad: string | undefined;
    try { bad = planProblem(JSON.parse(readFileSync(p, 'utf8'))); } catch (e) { bad = (e as Error).message; }
    if (bad) { problems.push(`cached plan ${rel(p)}: broken (${bad})`); fix(p); }
  }
  if (existsSync(store.statsPath())) {
    let bad: string | undefined;
    try { bad = statsProblem(JSON.parse(readFileSync(store.statsPath(), 'utf8'))); } catch (e) { bad = (e as Error).message; }
    if (bad) { problems.push(`stat cache ${rel(store.statsPath())}: broken (${bad})`); fix(store.statsPath()); }
  }
  const tmp = store.tmpFiles();
  process.stdout.write(`checked ${nObj} objects, ${nRec} records${tmp.length ? `; ${tmp.length} leftover temp files from interrupted runs (harmless; \`flow cache gc\` removes them)` : ''}\n`);
  if (problems.length) {
    for (const p of problems) process.stdout.write(`  problem: ${p}\n`);
    process.stdout.write(fixing ? `removed ${problems.length} broken entries; the next run recomputes them\n` : `${problems.length} problems; \`flow cache verify --fix\` removes the broken entries\n`);
    if (!fixing) process.exitCode = 1;
  } else process.stdout.write('cache ok\n');
}

const AGE_RE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** --keep 30d, --grace 1h: an age in seconds, minutes, hours, days or weeks, in ms. */
export function parseAge(s: string, flag = '--keep'): number {
  const m = AGE_RE.exec(s.trim());
  if (!m) throw new FlowError('validate', `${flag} ${s}: expected an age such as ${flag === '--keep' ? '' : '30s, '}30m, 12h, 7d or 2w`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** `--set a=1 --set b=2` as a user typed it (none: the workflow's own values). */
export const showSets = (sets: Record<string, unknown>) =>
  Object.entries(sets).map(([k, v]) => `--set ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');

/**
 * The keys gc keeps: for each variant of each workflow (its path and --set overrides) and each
 * of its nodes, the results of the node's last `runs` runs in that variant (a --only run or a
 * failure does not un-keep the other nodes' results), counting only runs that started after
 * `since`. Runs from before the journal count through the workflow's last run state.
 * `used` collects the runs that kept some result (a shared cache's gc keeps only those entries).
 */
export function keptKeys(journal: JournalRun[], states: { workflow: string; at: string; nodes: Record<string, { status: string; key?: string | null; at?: string }> }[], runs: number, since: number, used?: Set<JournalRun>): Set<string> {
  const keep = new Set<string>();
  const byVariant = new Map<string, JournalRun[]>();
  for (const r of journal) if (Date.parse(r.at) >= since) { const v = variantOf(r); byVariant.set(v, [...(byVariant.get(v) ?? []), r]); }
  for (const list of byVariant.values()) {
    const count = new Map<string, number>();
    // the nodes the variant's latest run had (a node removed from the workflow keeps nothing)
    const planned = list.at(-1)?.planned;
    const live = planned ? new Set(planned) : undefined;
    for (const r of [...list].reverse()) for (const [id, n] of Object.entries(r.nodes ?? {})) {
      if (live && !live.has(id)) continue;
      if ((n.status !== 'ran' && n.status !== 'hit') || !n.key || (count.get(id) ?? 0) >= runs) continue;
      count.set(id, (count.get(id) ?? 0) + 1);
      keep.add(n.key);
      used?.add(r);
    }
  }
  for (const s of states) for (const n of Object.values(s.nodes)) if (n.key && (n.status === 'ran' || n.status === 'hit') && Date.parse(n.at ?? s.at) >= since) keep.add(n.key);
  return keep;
}

export async function cacheGc(o: Opts): Promise<void> {
  if (isRemoteUrl(o.cache)) return (await shared()).sharedGc(o.cache, o);
  if (o.grace !== undefined) throw new FlowError('validate', `--grace ${o.grace}: the grace period is for a shared cache (--cache s3://… or file://…), where runs on other machines take no lock; a local gc waits for the runs in progress instead`);
  const store = openStore(o.cache);
  const runs = o.keepRuns === undefined ? 1 : Number(o.keepRuns);
  if (!Number.isInteger(runs) || runs < 1 || runs > DETAIL_RUNS) throw new FlowError('validate', `--keep-runs ${o.keepRuns}: expected a whole number from 1 to ${DETAIL_RUNS} (the journal keeps the results of the last ${DETAIL_RUNS} runs of each variant)`);
  const since = o.keep === undefined ? -Infinity : Date.now() - parseAge(o.keep);
  const collect = async () => {
    const journal = await readJournal(store.dir);
    const keep = keptKeys(journal, store.states(), runs, since);
    const lastUse = lastUses(journal); // where each result was last used, for the listing
    const live = new Set<string>();
    const drop: string[] = [];
    const gone: { node: string; where: string; at: string; bytes: number }[] = [];
    let bytes = 0;
    for (const r of store.records()) {
      if (r.rec && keep.has(r.key)) { for (const x of Object.values(r.rec.outputs)) live.add(x.hash); continue; }
      drop.push(r.path);
      const size = store.size(r.path) + Object.values(r.rec?.outputs ?? {}).reduce((a, x) => a + x.size, 0);
      bytes += store.size(r.path);
      const use = lastUse.get(r.key);
      const where = use ? [use.workflow, showSets(use.sets)].filter(Boolean).join(' ') : `${r.rec?.workflow ?? '?'} (before the run journal)`;
      gone.push({ node: r.rec?.node ?? r.key.slice(0, 12), where, at: use?.at ?? r.rec?.at ?? '', bytes: size });
    }
    const nRec = drop.length;
    for (const [p, name] of store.objects()) if (!live.has(name)) { drop.push(p); bytes += store.size(p); }
    const nObj = drop.length - nRec;
    const old = Date.now() - 10 * 60_000; // a temp file this young may belong to a running flow
    const tmp = store.tmpFiles().filter((p) => { try { return statSync(p).mtimeMs < old; } catch { return false; } });
    drop.push(...tmp);
    const plans = store.planFiles(); // validated plans: rebuilt on the next run
    drop.push(...plans);
    if (o.dryRun) {
      const w = Math.min(32, Math.max(4, ...gone.map((g) => g.node.length)));
      for (const g of gone.sort((a, b) => a.where.localeCompare(b.where) || a.node.localeCompare(b.node))) process.stdout.write(`  would remove  ${g.node.padEnd(w)}  ${g.where}  (last used ${g.at || 'never'}, ${kb(g.bytes)})\n`);
    } else for (const p of drop) store.remove(p);
    const policy = `the last ${runs === 1 ? 'run' : `${runs} runs`} of each workflow and each set of --set overrides${o.keep ? ` within ${o.keep}` : ''}`;
    process.stdout.write(`${o.dryRun ? 'would remove' : 'removed'} ${nRec} records, ${nObj} objects, ${tmp.length} temp files, ${plans.length} cached plans (${kb(bytes)}); kept ${keep.size} results used by ${policy}\n`);
  };
  if (o.dryRun) return collect();
  // no run may start while gc removes, and gc waits for the runs in progress (lock.ts)
  await withLock(store.dir, 'cache', async () => {
    await waitForLeases(store.dir, (held) => process.stderr.write(`waiting for ${held.length} flow run${held.length > 1 ? 's' : ''} in progress to finish (${held.map((h) => `${h.what}, pid ${h.pid}`).join('; ')})\n`));
    await collect();
  }, { onWait: () => process.stderr.write('waiting for another flow cache gc to finish\n') });
}
