// flow cache ls | show <key> | gc [--dry-run] | verify [--fix]
import { readFileSync, statSync } from 'node:fs';
import { FlowError } from '../errors.js';
import { openStore, fmtMs } from './common.js';
import { sha256 } from '../graph/hash.js';
import { fingerprintKey } from '../graph/cues.js';
import type { CacheRecord } from '../graph/store.js';

type Opts = { cache?: string; json?: boolean; dryRun?: boolean; fix?: boolean };
const kb = (n: number) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`);

export async function cacheLs(o: Opts): Promise<void> {
  const store = openStore(o.cache);
  const recs = [...store.records()].filter((r) => r.rec).map((r) => r.rec!).sort((a, b) => a.at.localeCompare(b.at));
  if (o.json) { for (const r of recs) process.stdout.write(JSON.stringify({ key: r.key, node: r.node, type: r.fingerprint.type, workflow: r.workflow, ms: r.ms, at: r.at, outputs: r.outputs }) + '\n'); return; }
  for (const r of recs) {
    const size = Object.values(r.outputs).reduce((s, x) => s + x.size, 0);
    process.stdout.write(`${r.key.slice(0, 12)}  ${r.fingerprint.type.padEnd(16)} ${r.node.padEnd(28)} ${kb(size).padStart(9)} ${fmtMs(r.ms).padStart(9)}  ${r.at}  ${r.workflow}\n`);
  }
  process.stdout.write(`${recs.length} records in ${store.dir}\n`);
}

export async function cacheShow(key: string, o: Opts): Promise<void> {
  const store = openStore(o.cache);
  const matches = [...store.records()].filter((r) => r.key.startsWith(key));
  if (matches.length !== 1) throw new FlowError('cache', matches.length ? `key prefix ${key} matches ${matches.length} records; give more characters` : `no record with key ${key}; \`flow cache ls\` lists them`);
  const m = matches[0];
  if (!m.rec) throw new FlowError('cache', `record ${m.key} is unreadable (${m.error}); run \`flow cache verify --fix\``);
  const outputs = Object.fromEntries(Object.entries(m.rec.outputs).map(([p, x]) => [p, { ...x, present: store.hasObject(x.hash) }]));
  process.stdout.write(JSON.stringify({ ...m.rec, outputs }, null, 2) + '\n');
}

export async function cacheVerify(o: Opts): Promise<void> {
  const store = openStore(o.cache);
  const problems: string[] = [];
  const fix = (p: string) => { if (o.fix) store.remove(p); };
  let nObj = 0, nRec = 0;
  for (const [p, name] of store.objects()) {
    nObj++;
    if (sha256(readFileSync(p)) !== name) { problems.push(`object ${name.slice(0, 12)}: content does not match its hash`); fix(p); }
  }
  for (const r of store.records()) {
    nRec++;
    if (!r.rec) { problems.push(`record ${r.key.slice(0, 12)}: unreadable (${r.error})`); fix(r.path); continue; }
    const rec: CacheRecord = r.rec;
    if (rec.key !== r.key || fingerprintKey(rec.fingerprint) !== r.key) { problems.push(`record ${r.key.slice(0, 12)}: its fingerprint does not hash to its key`); fix(r.path); continue; }
    for (const [port, x] of Object.entries(rec.outputs)) {
      if (!store.hasObject(x.hash)) { problems.push(`record ${r.key.slice(0, 12)} (${rec.node}): output ${port} -> missing object ${x.hash.slice(0, 12)}`); fix(r.path); break; }
    }
  }
  const tmp = store.tmpFiles();
  process.stdout.write(`checked ${nObj} objects, ${nRec} records${tmp.length ? `; ${tmp.length} leftover temp files from interrupted runs (harmless; \`flow cache gc\` removes them)` : ''}\n`);
  if (problems.length) {
    for (const p of problems) process.stdout.write(`  problem: ${p}\n`);
    process.stdout.write(o.fix ? `removed ${problems.length} broken entries; the next run recomputes them\n` : `${problems.length} problems; \`flow cache verify --fix\` removes the broken entries\n`);
    if (!o.fix) process.exitCode = 1;
  } else process.stdout.write('cache ok\n');
}

export async function cacheGc(o: Opts): Promise<void> {
  const store = openStore(o.cache);
  const keep = new Set<string>();
  for (const s of store.states()) for (const n of Object.values(s.nodes)) if (n.key && (n.status === 'ran' || n.status === 'hit')) keep.add(n.key);
  const live = new Set<string>();
  const drop: string[] = [];
  let bytes = 0;
  for (const r of store.records()) {
    if (r.rec && keep.has(r.key)) for (const x of Object.values(r.rec.outputs)) live.add(x.hash);
    else { drop.push(r.path); bytes += store.size(r.path); }
  }
  const nRec = drop.length;
  for (const [p, name] of store.objects()) if (!live.has(name)) { drop.push(p); bytes += store.size(p); }
  const nObj = drop.length - nRec;
  const old = Date.now() - 10 * 60_000; // a temp file this young may belong to a running flow
  const tmp = store.tmpFiles().filter((p) => { try { return statSync(p).mtimeMs < old; } catch { return false; } });
  drop.push(...tmp);
  const plans = store.planFiles(); // validated plans: rebuilt on the next run
  drop.push(...plans);
  if (o.dryRun) for (const p of drop) process.stdout.write(`would remove ${p}\n`);
  else for (const p of drop) store.remove(p);
  process.stdout.write(`${o.dryRun ? 'would remove' : 'removed'} ${nRec} records, ${nObj} objects, ${tmp.length} temp files, ${plans.length} cached plans (${kb(bytes)}); kept ${keep.size} results referenced by the last run of each workflow\n`);
}
