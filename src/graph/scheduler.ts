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
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FlowError } from '../errors.js';
import type { Provenance, ProvenanceNode } from './node.js';
import { ENGINE_VERSION, canonical, hashPath, hashPathKeep, readWhole, sha256, type StatCache } from './hash.js';
import { type Fingerprint, type Reason, fingerprintKey, reasons, rootCauses, unchangedInputs } from './cues.js';
import { inside } from './load.js';
import type { Plan, PlanNode } from './plan.js';
import type { Store, CacheRecord, NodeState, OutputRef } from './store.js';
import { checkValue, decode, encode } from './codec.js';
import type { RunEvent, Summary } from './events.js';
import { WorkerPool } from './pool.js';
import { availableParallelism } from 'node:os';

export interface RunOptions {
  store: Store;
  /** node ids (instance or declared) to re-run even when cached */
  force?: string[];
  /** run only these nodes (instance or declared ids) and their ancestors */
  only?: string[];
  concurrency?: number;
  /** worker threads for node types with `worker: true` (0: run them on the main thread) */
  workers?: number;
}

/** Instance ids matching a list of ids or declared (base) ids; unknown names are a FlowError. */
export function selectNodes(plan: Plan, names: string[], flag: string): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    const hits = plan.nodes.has(name) ? [name] : [...plan.nodes.values()].filter((n) => n.base === name).map((n) => n.id);
    if (!hits.length) throw new FlowError('validate', `${flag} ${name}: no such node; nodes: ${[...new Set([...plan.nodes.values()].map((n) => n.base))].join(', ')}`, { file: plan.file, node: name });
    hits.forEach((h) => out.add(h));
  }
  return out;
}

export function ancestorsOf(plan: Plan, ids: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (id: string) => {
    if (out.has(id)) return;
    out.add(id);
    for (const refs of Object.values(plan.nodes.get(id)!.inputs)) for (const r of refs) visit(r.node);
  };
  for (const id of ids) visit(id);
  return out;
}

/** Content hashes of the files a node reads; `keep` (see hashPath) collects the bytes of those read whole. */
export function fileHashes(n: PlanNode, stats: StatCache, dirty: { value: boolean }, keep?: Map<string, Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of n.files) {
    try { out[f.rel] = hashPath(f.abs, stats, dirty, keep); } catch (e) { throw cannotRead(n, f, e); }
  }
  return out;
}

/** fileHashes with the bytes of the files read kept in `keep`, reading and hashing overlapped (hashPathKeep). */
export async function fileHashesKeep(n: PlanNode, stats: StatCache, dirty: { value: boolean }, keep: Map<string, Buffer>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of n.files) {
    try { out[f.rel] = await hashPathKeep(f.abs, stats, dirty, keep); } catch (e) { throw cannotRead(n, f, e); }
  }
  return out;
}

const cannotRead = (n: PlanNode, f: PlanNode['files'][number], e: unknown) =>
  new FlowError('data', `cannot read ${f.rel} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it was there when the workflow was validated`, { node: n.id, file: f.abs }, e);

/** The fingerprint of a node given its inputs' output hashes (null where unknown). */
export function fingerprint(n: PlanNode, outHash: (node: string, port: string) => string | null, files: Record<string, string>, provenance?: string | null): Fingerprint {
  const inputs: Fingerprint['inputs'] = {};
  for (const [port, refs] of Object.entries(n.inputs)) {
    if (n.gathers.has(port)) inputs[port] = refs.map((r) => ({ branch: r.branch ?? {}, hash: outHash(r.node, r.port) }));
    else if (n.def.inputs[port]?.many) inputs[port] = refs.map((r) => outHash(r.node, r.port));
    else inputs[port] = refs.length ? outHash(refs[0].node, refs[0].port) : null;
  }
  const fp: Fingerprint = { engine: ENGINE_VERSION, type: n.type, version: n.def.version, params: n.params, inputs, files };
  if (n.code) fp.code = n.code;
  if (n.def.provenance) fp.provenance = provenance ?? null as any;
  return fp;
}

/** Upstream node ids wired to a port (for reasons). */
export const upstreamOf = (n: PlanNode) => (port: string) => [...new Set((n.inputs[port] ?? []).map((r) => r.node))];

export function provenanceOf(plan: Plan, n: PlanNode, keyOf: (id: string) => string, filesOf: (id: string) => Record<string, string>): Provenance {
  const anc = ancestorsOf(plan, [n.id]);
  anc.delete(n.id);
  const nodes: ProvenanceNode[] = plan.order.filter((id) => anc.has(id)).map((id) => {
    const a = plan.nodes.get(id)!;
    return {
      id, type: a.type, version: a.def.version, key: keyOf(id), params: a.params,
      inputs: Object.entries(a.inputs).flatMap(([port, refs]) => refs.map((r) => ({ port, from: `${r.node}.${r.port}` }))),
      files: Object.entries(filesOf(id)).map(([path, h]) => ({ path, sha256: h })),
    };
  });
  return { workflow: plan.rel, nodes };
}

interface Done { status: 'hit' | 'ran' | 'failed' | 'skipped'; key: string | null; outputs?: Record<string, OutputRef>; fp?: Fingerprint; files?: Record<string, string>; roots: string[] }

export function run(plan: Plan, opts: RunOptions): Observable<RunEvent> {
  return new Observable<RunEvent>((sub) => {
    const t0 = performance.now();
    const { store } = opts;
    const force = selectNodes(plan, opts.force ?? [], '--force');
    const scope = opts.only?.length ? ancestorsOf(plan, selectNodes(plan, opts.only, '--only')) : new Set(plan.order);
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

    const outHash = (node: string, port: string) => done.get(node)?.outputs?.[port]?.hash ?? null;
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
      // bytes of the node's files read whole for their hashes: handed to the node by
      // ctx.readFile (no second read). Not for worker nodes (they run elsewhere).
      const kept = n.def.worker ? undefined : new Map<string, Buffer>();
      try {
        const files = kept && n.files.length ? await fileHashesKeep(n, stats, dirty, kept) : fileHashes(n, stats, dirty);
        let prov: Provenance | undefined;
        if (n.def.provenance) prov = provenanceOf(plan, n, (id) => done.get(id)!.key!, (id) => done.get(id)!.files ?? {});
        const fp = fingerprint(n, outHash, files, prov && sha256(canonical(prov)));
        key = fingerprintKey(fp);
        // the same key twice in one run (matrix copies with equal inputs): compute it once
        const twin = inflight.get(key);
        if (twin && !force.has(n.id)) await twin;
        const rec = force.has(n.id) ? undefined : store.getRecord(key);
        if (rec) {
          const reran = [...new Set(Object.values(n.inputs).flat().map((r) => r.node))].filter((u) => done.get(u)?.status === 'ran');
          const ms = performance.now() - start;
          const k = key;
          report(n, () => {
            sub.next({ type: 'hit', node: n.id, key: k, reason: reran.length ? 'cut-off' : 'cached', ms, savedMs: rec.ms });
            summary.hit.push(n.id); summary.savedMs += rec.ms;
            states[n.id] = { key: k, status: 'hit', fingerprint: fp, why: [], roots: [], at, lastRan: prev?.nodes[n.id]?.lastRan };
            if (reran.length) states[n.id].cutOff = { upstream: reran, roots: [...new Set(reran.flatMap((u) => done.get(u)!.roots))] };
          });
          return { status: 'hit', key, outputs: rec.outputs, fp, files, roots: [] };
        }
        const prevFp = prev?.nodes[n.id]?.fingerprint;
        let why: Reason[] = force.has(n.id) ? [{ cue: 'forced', text: `--force ${n.base}` }] : reasons(prevFp, fp, upstreamOf(n));
        if (!why.length) why = [{ cue: 'evicted', text: 'its cache entry is missing (gc or a new cache dir)' }];
        const roots = rootCauses(n.id, why, (u) => done.get(u)?.roots ?? [], unchangedInputs(n.inputs, why));
        let settle!: () => void;
        inflight.set(key, new Promise<void>((r) => (settle = r)));
        running = settle;
        sub.next({ type: 'start', node: n.id, key, why });
        const inputs: Record<string, unknown> = {};
        const sources: Record<string, { node: string; port: string; branch?: Record<string, unknown> }[]> = {};
        for (const [port, refs] of Object.entries(n.inputs)) sources[port] = refs.map((r) => ({ node: r.node, port: r.port, ...(r.branch ? { branch: r.branch } : {}) }));
        const outputs: Record<string, OutputRef> = {};
        const writes: Promise<void>[] = [];
        const module = n.def.worker && opts.workers !== 0 && WorkerPool.available() ? plan.moduleOf?.(n.type) : undefined;
        // the node's own time (run + store), not time spent waiting behind concurrent nodes
        let runStart = performance.now();
        if (module) {
          pool ??= new WorkerPool(opts.workers ?? Math.max(1, availableParallelism() - 1));
          const job = {
            module, type: n.type, cacheDir: store.dir, root: plan.root, file: n.file, nodeId: n.id, params: n.params, sources, provenance: prov,
            inputs: Object.fromEntries(Object.entries(n.inputs).map(([port, refs]) => [port, { many: !!n.def.inputs[port].many, refs: refs.map((r) => done.get(r.node)!.outputs![r.port]) }])),
          };
          // the worker reads its inputs from the cache: they must be there
          await Promise.all(Object.values(job.inputs).flatMap((i) => i.refs.map((r) => writing.get(r.hash))));
          runStart = performance.now();
          Object.assign(outputs, await pool.run(job));
        } else {
          const def = await plan.resolve(n.type);
          if (!def) throw new FlowError('run', `node type ${n.type} is no longer in the catalogue; rebuild (npm run build)`);
          for (const [port, refs] of Object.entries(n.inputs)) {
            const vals = await Promise.all(refs.map((r) => value(done.get(r.node)!.outputs![r.port])));
            inputs[port] = n.def.inputs[port].many ? vals : vals[0];
          }
          // while writes are in progress, one turn of the event loop first: they finish (records,
          // `ran` events) even when CPU-bound nodes follow each other
          if (background) await new Promise<void>((r) => setImmediate(r));
          runStart = performance.now();
          const base = dirname(n.file);
          const resolvePath = (p: string) => {
            const abs = resolve(base, p);
            if (!inside(plan.root, abs)) throw new FlowError('validate', `path ${p} leaves the project tree`, { node: n.id, file: n.file });
            return abs;
          };
          const result = await def.run({
            params: n.params, inputs, nodeId: n.id, provenance: prov, sources, resolvePath,
            readFile: (p: string) => { const abs = resolvePath(p); return kept?.get(abs) ?? readWhole(abs); },
          } as any);
          kept?.clear();
          for (const [port, spec] of Object.entries(n.def.outputs)) {
            const v = (result as Record<string, unknown>)?.[port];
            const bad = checkValue(spec.type, v);
            if (bad) throw new Error(`output ${port}: ${bad}; node types must return { ${Object.keys(n.def.outputs).join(', ')} }`);
            const bytes = await encode(spec.type, v);
            const { hash, size, written, background: bg } = store.putObjectAsync(bytes);
            outputs[port] = { hash, type: spec.type, size };
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
        const rec2: CacheRecord = { key, fingerprint: fp, outputs, ms, node: n.id, workflow: plan.rel, at: new Date().toISOString() };
        const settleTwin = running!;
        running = undefined;
        const stored = (async () => {
          try { await Promise.all(writes); store.putRecord(rec2); return undefined; } catch (e) { return e; } finally { settleTwin(); }
        })();
        const k = key;
        report(n, async () => {
          const e = await stored;
          if (e) {
            const err = new FlowError('cache', `${n.id} (${n.type}): could not write its outputs to the cache: ${(e as Error)?.message ?? e}`, { node: n.id, file: n.file }, e);
            sub.next({ type: 'failed', node: n.id, key: k, ms, inputs: [], error: err });
            summary.failed.push(n.id);
            states[n.id] = { key: k, status: 'failed', fingerprint: null, why: [], roots: [], at, lastRan: prev?.nodes[n.id]?.lastRan };
            return;
          }
          sub.next({ type: 'ran', node: n.id, key: k, ms, why, roots });
          summary.ran.push(n.id);
          states[n.id] = { key: k, status: 'ran', fingerprint: fp, why, roots, at, lastRan: { at, key: k, why, roots } };
        });
        return { status: 'ran', key, outputs, fp, files, roots };
      } catch (e) {
        running?.();
        const inputs = Object.entries(n.inputs).flatMap(([p, refs]) => refs.map((r) => `${p} <- ${r.node}.${r.port}`));
        const cause = e instanceof Error ? e : new Error(String(e));
        const err = e instanceof FlowError && e.kind !== 'run' && e.kind !== 'data' && e.kind !== 'validate' ? e
          : new FlowError(e instanceof FlowError ? e.kind : 'run', `${n.id} (${n.type}) failed: ${cause.message}${inputs.length ? `; inputs: ${inputs.join(', ')}` : ''}`, { node: n.id, file: n.file }, cause);
        const ms = performance.now() - start, k = key;
        report(n, () => {
          sub.next({ type: 'failed', node: n.id, key: k, ms, inputs, error: err });
          summary.failed.push(n.id);
          states[n.id] = { key: k, status: 'failed', fingerprint: null, why: [], roots: [], at, lastRan: prev?.nodes[n.id]?.lastRan };
        });
        return { status: 'failed', key, roots: [] };
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
      void Promise.all([...reported.values(), ...writing.values()]).then(() => {
        summary.ms = performance.now() - t0;
        try {
          if (dirty.value) store.writeStats(stats);
          store.writeState({ workflow: plan.rel, at, nodes: { ...(prev?.nodes ?? {}), ...states } });
        } catch (e) { sub.error(new FlowError('cache', `could not write the run state: ${(e as Error).message}`, {}, e)); return; }
        sub.next({ type: 'summary', summary });
        ready.complete();
        sub.complete();
      });
    };
    const release = (n: PlanNode) => {
      const bad = Object.values(n.inputs).flat().map((r) => r.node).find((u) => { const s = done.get(u)?.status; return s === 'failed' || s === 'skipped'; });
      if (bad) {
        const because = `input ${bad} ${done.get(bad)!.status}`;
        report(n, () => {
          sub.next({ type: 'skipped', node: n.id, because });
          summary.skipped.push(n.id);
          states[n.id] = { key: null, status: 'skipped', fingerprint: null, why: [], roots: [], at };
        });
        finish(n.id, { status: 'skipped', key: null, roots: [] });
      } else ready.next(n);
    };

    const conc = opts.concurrency ?? 4;
    const inner = ready.pipe(mergeMap((n) => defer(async () => [n.id, await processNode(n)] as const), conc))
      .subscribe({ next: ([id, d]) => finish(id, d), error: (e) => sub.error(e) });
    sub.next({ type: 'plan', workflow: plan.rel, nodes: plan.order.filter((id) => scope.has(id)) });
    if (remaining === 0) complete();
    else for (const id of plan.order) if (scope.has(id) && pending.get(id) === 0) release(plan.nodes.get(id)!);
    return () => { inner.unsubscribe(); pool?.close(); };
  });
}
