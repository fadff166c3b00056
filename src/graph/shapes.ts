// The shapes of the cache's JSON files (records, run states, cached plans, the stat cache).
// A file that parses but does not have its shape (`"outputs": null`, a plan holding `{}`) is
// treated like a missing one at run time (a miss), named by `flow cache verify`, and removed
// by `verify --fix`. Checked by hand: a handful of fields, on the warm path of every run.
const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const HASH = /^[0-9a-f]{64}$/;

/** Why a parsed record is not a cache record, or undefined when it is one. */
export function recordProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'not a JSON object';
  if (!isStr(x.key) || !HASH.test(x.key)) return 'no key';
  if (!isObj(x.fingerprint)) return 'no fingerprint';
  if (!isObj(x.outputs)) return '"outputs" is not an object';
  for (const [port, o] of Object.entries(x.outputs)) {
    if (!isObj(o) || !isStr(o.hash) || !HASH.test(o.hash) || !isStr(o.type) || !isNum(o.size)) return `output ${port} is not { hash, type, size }`;
  }
  if (!isNum(x.ms) || !isStr(x.node) || !isStr(x.workflow) || !isStr(x.at)) return 'ms, node, workflow or at missing';
  return undefined;
}

const STATUSES = new Set(['ran', 'hit', 'failed', 'skipped']);

/** Why a parsed run state is not one, or undefined. */
export function stateProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'not a JSON object';
  if (!isStr(x.workflow) || !isStr(x.at)) return 'no workflow or time';
  if (!isObj(x.nodes)) return '"nodes" is not an object';
  for (const [id, n] of Object.entries(x.nodes)) {
    if (!isObj(n) || !isStr(n.status) || !STATUSES.has(n.status) || !isStr(n.at)) return `node ${id}: not a node state`;
    if ((n.status === 'ran' || n.status === 'hit') && (!isStr(n.key) || !isObj(n.fingerprint))) return `node ${id}: no key or fingerprint`;
  }
  return undefined;
}

/** Why a parsed cached plan (plancache.ts) is not one, or undefined. */
export function planProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'not a JSON object';
  if (!Array.isArray(x.sources) || !x.sources.every((s) => isObj(s) && isStr(s.path) && isStr(s.sha256))) return 'no list of sources';
  const p = x.plan;
  if (!isObj(p) || !isStr(p.file) || !isStr(p.rel) || !isStr(p.root) || !Array.isArray(p.order) || !p.order.every(isStr) || !isObj(p.sets) || !isObj(p.plugins) || !Array.isArray(p.watch)) return 'no plan';
  if (!Array.isArray(p.nodes)) return 'no nodes';
  const ids = new Set<string>();
  for (const n of p.nodes) {
    if (!isObj(n) || !isStr(n.id) || !isStr(n.type) || !isStr(n.file) || !isStr(n.code) || !isObj(n.def) || !isObj(n.inputs) || !Array.isArray(n.gathers) || !Array.isArray(n.files)) return 'a node is not a planned node';
    const d = n.def;
    if (!isNum(d.version) || !isObj(d.inputs) || !isObj(d.outputs)) return `node ${n.id}: no definition`;
    for (const refs of Object.values(n.inputs)) if (!Array.isArray(refs) || !refs.every((r) => isObj(r) && isStr(r.node) && isStr(r.port))) return `node ${n.id}: bad inputs`;
    if (!n.files.every((f) => isObj(f) && isStr(f.abs) && isStr(f.rel))) return `node ${n.id}: bad files`;
    ids.add(n.id);
  }
  for (const n of p.nodes as { id: string; inputs: Record<string, { node: string }[]> }[]) {
    for (const refs of Object.values(n.inputs)) for (const r of refs) if (!ids.has(r.node)) return `node ${n.id}: input from unknown node ${r.node}`;
  }
  if (!p.order.every((id) => ids.has(id as string)) || p.order.length !== ids.size) return 'order does not match the nodes';
  return undefined;
}

/** Why a parsed stat cache is not one (its entries are judged one by one by inputs.ts), or undefined. */
export function statsProblem(x: unknown): string | undefined {
  return isObj(x) ? undefined : 'not a JSON object';
}
