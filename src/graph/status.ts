// Status without running: which nodes would hit and which would run, and why. Walks the
// plan in order; a node is fresh when its key (from fresh inputs' recorded outputs) has a
// record. A node below a stale one has unknown inputs: it is stale "because upstream must
// run" (it may still turn out a hit by early cut-off), and its root causes are upstream's.
import type { Plan } from './plan.js';
import type { Store, CacheRecord, NodeState } from './store.js';
import { type Fingerprint, type Reason, fingerprintKey, hasUnknownInputs, reasons, rootCauses, unchangedInputs } from './cues.js';
import { fileHashes, fingerprint, provenanceOf, upstreamOf } from './scheduler.js';
import { canonical, sha256 } from './hash.js';

export interface Assessment {
  id: string;
  fresh: boolean;
  key: string | null;
  fingerprint: Fingerprint;
  record?: CacheRecord;
  why: Reason[];
  roots: string[];
  /** what happened to this node in the last run of this workflow */
  last?: NodeState;
}

export function assess(plan: Plan, store: Store, only?: Set<string>): Map<string, Assessment> {
  const prev = store.readState(plan.rel);
  const stats = store.readStats();
  const dirty = { value: false };
  const out = new Map<string, Assessment>();
  const files = new Map<string, Record<string, string>>();
  for (const id of plan.order) {
    if (only && !only.has(id)) continue;
    const n = plan.nodes.get(id)!;
    const fh = fileHashes(n, stats, dirty);
    files.set(id, fh);
    let prov: string | null | undefined;
    if (n.def.provenance) {
      const p = provenanceOf(plan, n, (u) => out.get(u)?.key ?? '?', (u) => files.get(u) ?? {});
      prov = p.nodes.some((x) => x.key === '?') ? null : sha256(canonical(p));
    }
    const fp = fingerprint(n, (u, port) => out.get(u)?.record?.outputs[port]?.hash ?? null, fh, prov);
    const unknown = hasUnknownInputs(fp) || prov === null;
    const key = unknown ? null : fingerprintKey(fp);
    const record = key ? store.getRecord(key) : undefined;
    const last = prev?.nodes[id];
    if (record) { out.set(id, { id, fresh: true, key, fingerprint: fp, record, why: [], roots: [], last }); continue; }
    let why = reasons(last?.fingerprint, fp, upstreamOf(n));
    if (!why.length) why = [{ cue: 'evicted', text: 'its cache entry is missing (gc or a new cache dir)' }];
    const roots = rootCauses(id, why, (u) => out.get(u)?.roots ?? [], unchangedInputs(n.inputs, why));
    out.set(id, { id, fresh: false, key, fingerprint: fp, why, roots, last });
  }
  if (dirty.value) store.writeStats(stats);
  return out;
}
