// Running a plan. Ready nodes flow through an rxjs Subject into mergeMap (bounded
// concurrency); each finished node releases its dependents. A node's key is computed
// from its inputs' artifact hashes, so a node whose inputs re-ran with identical bytes
// is a hit (early cut-off). Hits never deserialize anything; artifacts are decoded only
// when a node that runs needs them.
// deep imports: the rxjs index loads every operator (about 3x the start-up cost)
import { Observable } from 'rxjs/internal/Observable';
import { Subject } from 'rxjs/internal/Subject';
import { mergeMap } from 'rxjs/internal/operators/mergeMap';
import { defer } from 'rxjs/internal/observable/defer';
import { relative } from 'node:path';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { FlowError } from '../errors.js';
import { closest } from './load.js';
import type { Provenance } from './node.js';
import { canonical, sha256 } from './hash.js';
import { type Fingerprint, fileHashes, fileHashesKeep, fingerprint, fingerprintKey, provenanceOf, whyRun } from './fingerprint.js';
import type { Plan, PlanNode } from './plan.js';
import type { Store, CacheRecord, NodeState, OutputRef } from './store.js';
import { decode } from './codec.js';
import { executeNode } from './execute.js';
import type { Executor, RemoteJob, SharedCache } from './remote.js';
import type { RunEvent, Summary } from './events.js';
import { WorkerPool } from './pool.js';
import { portModules } from './ports.js';
import { lease } from './lock.js';
import { inputPathProblem } from './paths.js';
import { recordRun, type JournalNode } from './journal.js';

export interface RunOptions {
  store: Store;
  /** node ids (instance or declared) to re-run even when cached */
  force?: string[];
  /** run only these nodes (instance or declared ids) and their ancestors */
  only?: string[];
  concurrency?: number;
  /** worker threads for node types with `worker: true` (0: run them on the main thread) */
  workers?: number;
  /** the caller holds a lease on the cache (lock.ts) for longer than the run (flow run: the
   * run and the export of its outputs), so the run takes none of its own */
  leased?: boolean;
  /** for the run journal: the flow version and the project's git commit */
  about?: { flow: string; commit?: string };
  /** a shared cache under the local one: local misses are looked up there, results published there */
  remote?: SharedCache;
  /** runs nodes elsewhere (needs `remote`): each node whose inputs are known becomes one job */
  executor?: Executor;
}

/** Instance ids matching a list of ids or declared (base) ids; unknown names are a FlowError. */
export function selectNodes(plan: Plan, names: string[], flag: string): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    const hits = plan.nodes.has(name) ? [name] : [...plan.nodes.values()].filter((n) => n.base === name).map((n) => n.id);
    if (!hits.length) {
      const bases = [...new Set([...plan.nodes.values()].map((n) => n.base))];
      const near = closest(name, bases);
      throw new FlowError('validate', `${flag} ${name}: no such node; ${near.length ? `did you mean ${near.join(' or ')}? (\`flow graph\` draws all ${bases.length})` : `nodes: ${bases.join(', ')}`}`, { file: plan.file, node: name });
    }
    hits.forEach((h) => out.add(h));
  }
  return out;
}

/**
 * A failed node's error: "fe_ris (fe) failed: <cause>; inputs: ...", blamed on the file that set
 * a param the node took by "$name" when the cause names one of its values (a column typo in a
 * branch's $controls: the branch file, not the file declaring the node).
 */
export function failure(plan: Plan, n: PlanNode, kind: FlowError['kind'], cause: Error, inputs: string[]): FlowError {
  let file = n.file, note = '';
  for (const [name, from] of Object.entries(n.paramFrom ?? {})) {
    const words = JSON.stringify(plan.params[name] ?? null).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
    if (!words.some((w) => w.length > 2 && cause.message.includes(w))) continue;
    if (from === '--set') note = ` (the value of $${name}, from --set ${name})`;
    else { file = from; note = ` (the value of $${name}, set in this file)`; }
    break;
  }
  return new FlowError(kind, `${n.id} (${n.type}) failed: ${cause.message}${note}${inputs.length ? `; inputs: ${inputs.join(', ')}` : ''}`, { node: n.id, file }, cause);
}

/** `ids` and every node they depend on (through graphology; loaded only when asked, not by a plain run). */
export async function ancestorsOf(plan: Plan, ids: Iterable<string>): Promise<Set<string>> {
  const { ancestors, graphOf } = await import('./dag.js');
  return ancestors(graphOf(plan.order, (id) => Object.values(plan.nodes.get(id)!.inputs).flat().map((r) => r.node)), ids);
}

/** What became of a node in this run: its outputs (a hit or a run), or neither. */
type Done =
  | { status: 'hit' | 'ran'; key: string; outputs: Record<string, OutputRef>; files: Record<string, string>; roots: string[] }
  | { status: 'failed'; key: string | null }
  | { status: 'skipped' };
type Made = Extract<Done, { outputs: unknown }>;

/**
 * Runs a plan: events as they happen, a summary last. The run holds a lease on the cache
 * (lock.ts: gc waits for it to end) and, when it ends, writes the workflow's run state and an
 * entry of the run journal.
 */
export function run(plan: Plan, opts: RunOptions): Observable<RunEvent> {
  return new Observable<RunEvent>((sub) => {
    const t0 = performance.now();
    const { store } = opts;
    const force = selectNodes(plan, opts.force ?? [], '--force');
    const only = opts.only?.length ? selectNodes(plan, opts.only, '--only') : undefined;
    let stopped = false, teardown = () => {}, dropLease: (() => void) | undefined;
    (async () => {
      const scope = only ? await ancestorsOf(plan, only) : new Set(plan.order);
      const drop = opts.leased ? () => {} : await lease(store.dir, plan.rel, { onWait: () => sub.next({ type: 'waiting', on: 'flow cache gc' }) });
      if (stopped) drop(); else { dropLease = drop; teardown = start(scope); }
    })().catch((e) => sub.error(e));
    return () => { stopped = true; teardown(); dropLease?.(); };

    function start(scope: Set<string>): () => void {
      const prev = store.readState(plan.rel);
      const stats = store.readStats();
      const dirty = { value: false };
      const done = new Map<string, Done>();
      const states: Record<string, NodeState> = {};
      const values = new Map<string, Promise<unknown>>();
      const inflight = new Map<string, Promise<void>>();
      let pool: WorkerPool | undefined;
      const summary: Summary = { ran: [], hit: [], failed: [], skipped: [], ms: 0, savedMs: 0 };
      const pending = new Map<string, number>();
      for (const id of scope) pending.set(id, new Set(Object.values(plan.nodes.get(id)!.inputs).flat().map((r) => r.node)).size);
      let remaining = scope.size;
      const ready = new Subject<PlanNode>();
      const at = new Date().toISOString();
      const thisMachine = hostname();

      /** a finished input of a node that runs (dependents of failed or skipped nodes are skipped) */
      const made = (id: string): Made => {
        const d = done.get(id);
        if (d?.status !== 'hit' && d?.status !== 'ran') throw new Error(`${id} has no outputs (${d?.status ?? 'not done'})`);
        return d;
      };
      const outHash = (node: string, port: string) => { const d = done.get(node); return d && 'outputs' in d ? d.outputs[port]?.hash ?? null : null; };
      const rootsOf = (u: string) => { const d = done.get(u); return d && 'roots' in d ? d.roots : []; };
      // each node's status, time and key, for the run journal
      const journalNodes: Record<string, JournalNode> = {};
      const emit = (e: Extract<RunEvent, { type: 'hit' | 'ran' | 'failed' | 'skipped' }>) => {
        journalNodes[e.node] = e.type === 'skipped' ? { status: 'skipped', ms: 0, key: null }
          : { status: e.type, ms: Math.round(e.ms * 10) / 10, key: e.key, ...(e.type === 'ran' ? { machine: e.machine } : {}) };
        sub.next(e);
      };
      // Dependents always get the value decoded from the stored bytes, even when it was made in
      // this run: a fresh run and a cached one must hand them the same thing (NaN -> null in JSON,
      // column types after Arrow). Bytes made in this run are kept, so this is no disk read.
      const fresh = new Map<string, Uint8Array>();
      // Outputs are written to the cache in the background (store.putObjectAsync): dependents
      // start as soon as the hashes are known, from the bytes in memory. A node's record is
      // written, and its `ran` event sent, only once its objects are in place (a run killed
      // before that re-runs it next time); the run ends (state, summary) when all are written.
      const writing = new Map<string, Promise<void>>(); // object hash -> write in progress (never rejects)
      let background = 0; // writes in progress on the thread pool
      // A node's final event (hit, ran, failed, skipped) goes out after its inputs' final events.
      const reported = new Map<string, Promise<void>>();
      const report = (n: PlanNode, send: () => unknown) => {
        const ups = new Set(Object.values(n.inputs).flat().map((r) => reported.get(r.node)));
        reported.set(n.id, Promise.all(ups).then(send).then(() => {}, (e) => sub.error(e)));
      };
      const value = (ref: OutputRef): Promise<unknown> => {
        let v = values.get(ref.hash);
        if (!v) {
          const bytes = fresh.get(ref.hash);
          v = bytes ? decode(ref.type, bytes) : (writing.get(ref.hash) ?? Promise.resolve()).then(() => decode(ref.type, store.getObject(ref.hash)));
          values.set(ref.hash, v);
        }
        return v;
      };

      async function processNode(n: PlanNode): Promise<Done> {
        const start = performance.now();
        let key: string | null = null;
        let running: (() => void) | undefined;
        // the bytes of the node's files read for their hashes: handed to the node by
        // ctx.readFile (no second read; exactly the content its key is of)
        const kept = new Map<string, Buffer>();
        try {
          // checked again here: a cached plan skipped validation, and a path may have become a symlink since
          for (const f of n.files) {
            const bad = inputPathProblem(plan.root, f.abs);
            if (bad) throw new FlowError('validate', `${f.rel} ${bad}`, { node: n.id, file: n.file });
          }
          const use = { value: false, statHits: 0 };
          let files = n.files.length ? await fileHashesKeep(n, stats, use, kept) : {};
          let prov: Provenance | undefined;
          let fp!: Fingerprint;
          let fromRemote = false;
          let remoteRecord = false;
          const lookup = async (): Promise<[string, CacheRecord | undefined]> => {
            if (n.def.provenance) prov = provenanceOf(plan, n, (id) => made(id).key, (id) => made(id).files);
            fp = fingerprint(n, outHash, files, prov && sha256(canonical(prov)));
            const k = key = fingerprintKey(fp);
            // the same key twice in one run (matrix copies with equal inputs): compute it once
            const twin = inflight.get(k);
            if (twin && !force.has(n.id)) await twin;
            if (force.has(n.id)) return [k, undefined];
            const local = store.getRecord(k);
            if (local || !opts.remote) return [k, local];
            const pulled = await opts.remote.pull(k);
            if (pulled) fromRemote = true;
            return [k, pulled];
          };
          let [key1, rec] = await lookup();
          if (!rec && use.statHits) {
            // it runs, and some file hashes came from the stat cache: read those files now and
            // key the result on the bytes the node gets (a file saved since the stat was
            // recorded gets its own key, never the old content's)
            kept.clear();
            const read = await fileHashesKeep(n, stats, use, kept, true);
            if (canonical(read) !== canonical(files)) { files = read; [key1, rec] = await lookup(); }
          }
          if (use.value) dirty.value = true;
          if (rec) {
            kept.clear();
            const reran = [...new Set(Object.values(n.inputs).flat().map((r) => r.node))].filter((u) => done.get(u)?.status === 'ran');
            const ms = performance.now() - start;
            const k = key1;
            const hit = rec;
            const hitFp = fp;
            report(n, () => {
              emit({ type: 'hit', node: n.id, key: k, reason: reran.length ? 'cut-off' : 'cached', ms, savedMs: hit.ms, ...(fromRemote ? { remote: true } : {}) });
              summary.hit.push(n.id); summary.savedMs += hit.ms;
              states[n.id] = { key: k, status: 'hit', fingerprint: hitFp, why: [], roots: [], at, lastRan: prev?.nodes[n.id]?.lastRan,
                ...(reran.length ? { cutOff: { upstream: reran, roots: [...new Set(reran.flatMap(rootsOf))] } } : {}) };
            });
            return { status: 'hit', key: key1, outputs: rec.outputs, files, roots: [] };
          }
          const { why, roots } = whyRun(n, prev?.nodes[n.id], fp, force.has(n.id), rootsOf);
          let settle!: () => void;
          inflight.set(key1, new Promise<void>((r) => (settle = r)));
          running = settle;
          sub.next({ type: 'start', node: n.id, key: key1, why });
          const inputs: Record<string, unknown> = {};
          // in the key only for node types that declare `sources` (fingerprint.ts); others may name them in errors only
          const sources: Record<string, { node: string; port: string; branch?: Record<string, unknown> }[]> =
            Object.fromEntries(Object.entries(n.inputs).map(([port, refs]) => [port, refs.map((r) => ({ node: r.node, port: r.port, ...(r.branch ? { branch: r.branch } : {}) }))]));
          const outputs: Record<string, OutputRef> = {};
          const writes: Promise<void>[] = [];
          const inputRefs = () => Object.fromEntries(Object.entries(n.inputs).map(([port, refs]) => [port, { many: !!n.def.inputs[port].many, refs: refs.map((r) => made(r.node).outputs[r.port]) }]));
          const elsewhere = opts.executor?.accepts(n.type) ? opts.executor : undefined;
          const module = !elsewhere && n.def.worker && opts.workers !== 0 && WorkerPool.available() ? plan.moduleOf?.(n.type) : undefined;
          let machine = thisMachine;
          // the node's own time (run + store), not time spent waiting behind concurrent nodes
          let runStart = performance.now();
          if (elsewhere) {
            const job: RemoteJob = {
              key: key1, fingerprint: fp, type: n.type, code: n.code, nodeId: n.id, file: relative(plan.root, n.file), workflow: plan.rel,
              params: n.params, sources, provenance: prov, inputs: inputRefs(),
              files: Object.fromEntries([...kept].map(([abs, b]) => [relative(plan.root, abs), sha256(b)])),
            };
            const bytes = new Map([...kept].map(([abs, b]) => [relative(plan.root, abs), b]));
            kept.clear();
            // inputs made here are published before a worker asks for them
            await Promise.all(Object.values(job.inputs).flatMap((i) => i.refs.map((r) => writing.get(r.hash))));
            runStart = performance.now();
            machine = (await elsewhere.run(job, bytes)).machine;
            // the record in the shared cache is the result: its objects are fetched and re-hashed
            const rec = await opts.remote!.pull(key1);
            if (!rec) throw new FlowError('cache', `${n.id} (${n.type}): the worker on ${machine} finished, but its result is not in the shared cache (or is corrupt); run again`, { node: n.id, file: n.file });
            Object.assign(outputs, rec.outputs);
            remoteRecord = true;
          } else if (module) {
            pool ??= new WorkerPool(opts.workers ?? Math.max(1, availableParallelism() - 1));
            const job = {
              module, type: n.type, cacheDir: store.dir, root: plan.root, file: n.file, nodeId: n.id, params: n.params, sources, provenance: prov, ports: portModules(),
              files: Object.fromEntries(kept), // shared memory: no copy
              inputs: inputRefs(),
            };
            // the worker reads its inputs from the cache: they must be there
            await Promise.all(Object.values(job.inputs).flatMap((i) => i.refs.map((r) => writing.get(r.hash))));
            runStart = performance.now();
            Object.assign(outputs, await pool.run(job));
            kept.clear();
          } else {
            const def = await plan.resolve(n.type);
            if (!def) throw new FlowError('run', `node type ${n.type} is no longer in the catalogue; rebuild (npm run build)`);
            for (const [port, refs] of Object.entries(n.inputs)) {
              const vals = await Promise.all(refs.map((r) => value(made(r.node).outputs[r.port])));
              inputs[port] = n.def.inputs[port].many ? vals : vals[0];
            }
            // while writes are in progress, one turn of the event loop first: they finish (records,
            // `ran` events) even when CPU-bound nodes follow each other
            if (background) await new Promise<void>((r) => setImmediate(r));
            runStart = performance.now();
            const encoded = await executeNode({ def, nodeId: n.id, file: n.file, root: plan.root, params: n.params, inputs, sources, provenance: prov, files: kept });
            kept.clear();
            for (const [port, { type, bytes }] of Object.entries(encoded)) {
              const { hash, size, written, background: bg } = store.putObjectAsync(bytes);
              outputs[port] = { hash, type, size };
              writes.push(written);
              const w = written.catch(() => {}); // (a failure is reported once `stored` sees it)
              if (bg) { background++; void w.then(() => background--); }
              if (!writing.has(hash)) {
                writing.set(hash, w);
                // kept for dependents (see value); otherwise only until written
                fresh.set(hash, bytes);
                if (!(plan.dependents.get(n.id) ?? []).length) void w.then(() => { fresh.delete(hash); writing.delete(hash); });
              }
            }
          }
          const ms = performance.now() - runStart;
          const rec2: CacheRecord = { key: key1, fingerprint: fp, outputs, ms, node: n.id, workflow: plan.rel, at: new Date().toISOString(), machine };
          const settleTwin = running!;
          running = undefined;
          const stored = (async () => {
            try {
              if (remoteRecord) return undefined; // pulled: in the local cache already
              await Promise.all(writes);
              store.putRecord(rec2);
              await opts.remote?.push(rec2);
              return undefined;
            } catch (e) { return e; } finally { settleTwin(); }
          })();
          const k = key1;
          report(n, async () => {
            const e = await stored;
            if (e) {
              const err = new FlowError('cache', `${n.id} (${n.type}): could not write its outputs to the cache: ${(e as Error)?.message ?? e}`, { node: n.id, file: n.file }, e);
              emit({ type: 'failed', node: n.id, key: k, ms, inputs: [], error: err });
              summary.failed.push(n.id);
              states[n.id] = { key: k, status: 'failed', at, lastRan: prev?.nodes[n.id]?.lastRan };
              return;
            }
            emit({ type: 'ran', node: n.id, key: k, ms, why, roots, machine });
            summary.ran.push(n.id);
            states[n.id] = { key: k, status: 'ran', fingerprint: fp, why, roots, at, lastRan: { at, key: k, why, roots } };
          });
          return { status: 'ran', key: key1, outputs, files, roots };
        } catch (e) {
          running?.();
          const inputs = Object.entries(n.inputs).flatMap(([p, refs]) => refs.map((r) => `${p} <- ${r.node}.${r.port}`));
          const cause = e instanceof Error ? e : new Error(String(e));
          const err = e instanceof FlowError && e.kind !== 'run' && e.kind !== 'data' && e.kind !== 'validate' ? e
            : failure(plan, n, e instanceof FlowError ? e.kind : 'run', cause, inputs);
          const ms = performance.now() - start, k = key;
          report(n, () => {
            emit({ type: 'failed', node: n.id, key: k, ms, inputs, error: err });
            summary.failed.push(n.id);
            states[n.id] = { key: k, status: 'failed', at, lastRan: prev?.nodes[n.id]?.lastRan };
          });
          return { status: 'failed', key };
        }
      }

      const finish = (id: string, d: Done) => {
        done.set(id, d);
        remaining--;
        for (const dep of plan.dependents.get(id) ?? []) {
          if (!scope.has(dep)) continue;
          const left = pending.get(dep)! - 1;
          pending.set(dep, left);
          if (left === 0) release(plan.nodes.get(dep)!);
        }
        if (remaining === 0) complete();
      };
      const complete = () => {
        pool?.close();
        // (the writes too: a node that failed after writing one output has no record waiting on it)
        void Promise.all([...reported.values(), ...writing.values()]).then(async () => {
          summary.ms = performance.now() - t0;
          try {
            if (dirty.value) store.writeStats(stats);
            // nodes this run did not cover (--only) keep their last state; removed nodes go
            const kept = Object.entries(prev?.nodes ?? {}).filter(([id]) => plan.nodes.has(id));
            store.writeState({ workflow: plan.rel, at, nodes: { ...Object.fromEntries(kept), ...states } });
          } catch (e) { sub.error(new FlowError('cache', `could not write the run state: ${(e as Error).message}`, {}, e)); return; }
          const entry = { at, ms: summary.ms, workflow: plan.rel, sets: plan.sets, flow: opts.about?.flow ?? 'unknown', ...(opts.about?.commit ? { commit: opts.about.commit } : {}),
            ran: summary.ran, hit: summary.hit, failed: summary.failed, skipped: summary.skipped, nodes: journalNodes, planned: plan.order };
          try { recordRun(store.dir, entry); } catch (e) { sub.error(new FlowError('cache', `could not write the run journal: ${(e as Error).message}`, {}, e)); return; }
          if (opts.remote) {
            try { await opts.remote.recordRun(entry); } catch (e) { sub.error(new FlowError('cache', `could not record the run in the shared cache: ${(e as Error).message}`, {}, e)); return; }
          }
          dropLease?.();
          dropLease = undefined;
          sub.next({ type: 'summary', summary });
          ready.complete();
          sub.complete();
        });
      };
      const release = (n: PlanNode) => {
        const bad = Object.values(n.inputs).flat().map((r) => r.node).find((u) => { const s = done.get(u)?.status; return s === 'failed' || s === 'skipped'; });
        if (bad) {
          const because = `input ${bad} ${done.get(bad)?.status}`;
          report(n, () => {
            emit({ type: 'skipped', node: n.id, because });
            summary.skipped.push(n.id);
            states[n.id] = { status: 'skipped', at, lastRan: prev?.nodes[n.id]?.lastRan };
          });
          finish(n.id, { status: 'skipped' });
        } else ready.next(n);
      };

      const conc = opts.concurrency ?? 4;
      const inner = ready.pipe(mergeMap((n) => defer(async () => [n.id, await processNode(n)] as const), conc))
        .subscribe({ next: ([id, d]) => finish(id, d), error: (e) => sub.error(e) });
      sub.next({ type: 'plan', workflow: plan.rel, nodes: plan.order.filter((id) => scope.has(id)) });
      if (remaining === 0) complete();
      else for (const id of plan.order) if (scope.has(id) && pending.get(id) === 0) release(plan.nodes.get(id)!);
      return () => { inner.unsubscribe(); pool?.close(); };
    }
  });
}
