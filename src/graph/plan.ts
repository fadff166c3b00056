// From merged declarations to a validated, expanded DAG: node types, ports and their
// types, cycles, $param substitution, params against each node's schema, the paths a
// node reads, and the matrix expansion (a node is copied once per combination of the
// matrix params it depends on, directly or through its inputs; the rest are shared).
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { FlowError } from '../errors.js';
import type { NodeDef, InputSpec, OutputSpec } from './node.js';
import type { PortType } from './ports.js';
import { canonical } from './hash.js';
import { type Loaded, type Decl, WorkflowInvalid, verr, didYouMean, inside } from './load.js';
import { inputPathProblem } from './paths.js';
import { paramIssues, unknownKeys } from './paramerr.js';
import { ancestors, findCycle, graphOf, topoOrder } from './dag.js';
import { dependentsOf } from './plancache.js';
import { own, has, dict } from './own.js';
import { LIMITS, limitOf, raiseHint } from './limits.js';

export interface InputRef { node: string; port: string; type: PortType; branch?: Record<string, unknown> }

/** What the engine needs of a node type to plan and key it (serializable: plans are cached). */
export interface NodeInfo {
  version: number;
  provenance?: boolean;
  sources?: boolean;
  worker?: boolean;
  inputs: Record<string, InputSpec>;
  outputs: Record<string, OutputSpec>;
}

export const nodeInfo = (d: NodeDef<any>): NodeInfo => ({
  version: d.version, ...(d.provenance ? { provenance: true } : {}), ...(d.sources ? { sources: true } : {}), ...(d.worker ? { worker: true } : {}),
  inputs: Object.fromEntries(Object.entries(d.inputs).map(([k, v]) => [k, { type: v.type, ...(v.many ? { many: true } : {}), ...(v.optional ? { optional: true } : {}) }])),
  outputs: Object.fromEntries(Object.entries(d.outputs).map(([k, v]) => [k, { type: v.type }])),
});

export interface PlanNode {
  /** instance id: the declared id, plus [param=value,...] for matrix copies */
  id: string;
  base: string;
  /** the matrix params this node depends on, and their values in this copy */
  branch: Record<string, unknown>;
  type: string;
  def: NodeInfo;
  params: unknown;
  /** declaring workflow file (absolute) */
  file: string;
  /** port -> sources (one for a single port; several for `many`); gathered sources carry their branch */
  inputs: Record<string, InputRef[]>;
  gathers: Set<string>;
  /** files/dirs the node reads: absolute and project-relative */
  files: { abs: string; rel: string }[];
  /** hash of the code the node type runs (built-in: from the build's metafile; plugin: its module) */
  code: string;
  /** params the node takes by "$name" that were set elsewhere than its file: name -> file (absolute) or "--set" */
  paramFrom?: Record<string, string>;
  /** provenance nodes only: every node it depends on, directly or not (in plan order) */
  ancestors?: string[];
}

export interface Plan {
  file: string;
  /** workflow path relative to the project root: names its run state */
  rel: string;
  root: string;
  params: Record<string, unknown>;
  /** the --set overrides it was built with (a workflow variant: the journal and gc go by it) */
  sets: Record<string, unknown>;
  matrix: Record<string, unknown[]>;
  nodes: Map<string, PlanNode>;
  /** topological order */
  order: string[];
  dependents: Map<string, string[]>;
  /** every file the run depends on: workflow chain, plugins, data (for watch) */
  watch: string[];
  /** workflow files of the extends chain and plugin modules: what the validated plan depends on */
  sources: string[];
  /** node type -> plugin module (absolute) */
  plugins: Record<string, string>;
  /** the workflow's default output folder (absolute; `"out"`, inherited along `extends`), if any */
  out?: string;
  /** the full node definition (with run), loaded only for nodes that must run */
  resolve(type: string): Promise<NodeDef<any>>;
  /** URL of the module exporting a node type, when known (needed to run it in a worker thread) */
  moduleOf?(type: string): string | undefined;
}

const REF_RE = /^([A-Za-z_][A-Za-z0-9_-]*)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?(\[\*\])?$/;
const PARAM_RE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;
const INTERP_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces "$name" (whole string: any JSON value) and "${name}" (inside a string); "$$" is a literal "$". */
export function substitute(v: unknown, params: Record<string, unknown>, onRef: (name: string, path: string) => void, path = ''): unknown {
  if (typeof v === 'string') {
    if (v.startsWith('$$')) return v.slice(1);
    const m = PARAM_RE.exec(v);
    if (m) { onRef(m[1], path); return own(params, m[1]); }
    return v.replace(INTERP_RE, (_, name) => { onRef(name, path); return interpolated(own(params, name)); });
  }
  if (Array.isArray(v)) return v.map((x, i) => substitute(x, params, onRef, `${path}.${i}`));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, params, onRef, `${path}.${k}`)])); // fromEntries defines own keys, __proto__ included
  return v;
}

/** A param's value inside a longer string: strings as they are, anything else as JSON (an
 * object's own "toString" key must not be called). */
function interpolated(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  try { return canonical(v); } catch { return String(JSON.stringify(v)); }
}

const fmtVal = (v: unknown) => (typeof v === 'string' ? v : canonical(v));
export const instanceId = (base: string, branch: Record<string, unknown>) => {
  const ks = Object.keys(branch);
  return ks.length ? `${base}[${ks.map((k) => `${k}=${fmtVal(branch[k])}`).join(',')}]` : base;
};

const accepts = (spec: { type: PortType | PortType[] }) => (Array.isArray(spec.type) ? spec.type : [spec.type]);

interface Wire { port: string; refs: { node: string; port: string; gather: boolean; type: PortType }[] }

/** Validates and expands a loaded workflow. `sets` are --set overrides. Throws WorkflowInvalid. */
export function buildPlan(loaded: Loaded, sets: Record<string, unknown> = {}): Plan {
  const errs: FlowError[] = [];
  const { nodes: decls, catalog } = loaded;
  const params = Object.assign(dict<unknown>(), loaded.params);
  const matrix = Object.assign(dict<unknown[]>(), loaded.matrix);
  for (const [k, v] of Object.entries(sets)) {
    if (!has(params, k)) { errs.push(verr(loaded.file, `--set ${k}`, `not a param of this workflow${didYouMean(k, Object.keys(params))}`)); continue; }
    params[k] = v;
    delete matrix[k]; // a --set value fixes a matrix param
  }
  // where a bad param value came from, when a node's `with` took it from "$name"
  const paramSource = (d: Decl, field: string, branch: Record<string, unknown>): string => {
    let v: unknown = d.with; // the declared value at the field, or at the nearest level above it that is a "$name"
    for (const k of field.split('.')) { if (typeof v === 'string' || v === null || typeof v !== 'object') break; v = Array.isArray(v) ? v[Number(k)] : own(v as Record<string, unknown>, k); }
    const m = typeof v === 'string' ? /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(v) : null;
    if (!m || has(branch, m[1])) return ''; // a matrix value is named by the branch already
    const name = m[1];
    if (has(sets, name)) return ` (the value of $${name}, from --set ${name})`;
    const from = own(loaded.paramFile, name);
    return ` (the value of $${name}, set in ${from ? relative(loaded.root, from) : 'params'})`;
  };
  const mkeys = Object.keys(matrix);

  // 1. types, $refs, ports and wiring
  const defs = new Map<string, NodeDef<any>>();
  const wires = new Map<string, Wire[]>();
  const direct = new Map<string, Set<string>>();
  const known = catalog.names ? catalog.names() : catalog.all().map((d) => d.type);
  for (const d of decls.values()) {
    const f = `nodes.${d.id}`;
    const def = catalog.get(d.uses);
    if (!def) { errs.push(verr(d.file, `${f}.uses`, `unknown node type "${d.uses}"${didYouMean(d.uses, known)}; \`flow nodes\` lists them`, d.id)); continue; }
    defs.set(d.id, def);
    const refs = new Set<string>();
    substitute(d.with, params, (name, path) => {
      if (!has(params, name)) errs.push(verr(d.file, `${f}.with${path}`, `unknown param $${name}${didYouMean(name, Object.keys(params))}; declare it in "params" (write $$ for a literal $)`, d.id));
      else refs.add(name);
    });
    direct.set(d.id, refs);
  }
  for (const d of decls.values()) {
    const def = defs.get(d.id);
    if (!def) continue;
    const f = `nodes.${d.id}.in`;
    const ws: Wire[] = [];
    for (const [port, raw] of Object.entries(d.in)) {
      const spec = own(def.inputs, port);
      if (!spec) {
        const ports = Object.keys(def.inputs);
        errs.push(verr(d.file, `${f}.${port}`, `unknown input port${didYouMean(port, ports)}; ${d.uses} has ${ports.length ? 'inputs ' + ports.join(', ') : 'no inputs'}`, d.id));
        continue;
      }
      const list = Array.isArray(raw) ? raw : [raw];
      if (Array.isArray(raw) && !spec.many) errs.push(verr(d.file, `${f}.${port}`, `takes one input, got a list of ${raw.length}`, d.id));
      const w: Wire = { port, refs: [] };
      for (const r of list) {
        const m = REF_RE.exec(r);
        if (!m) { errs.push(verr(d.file, `${f}.${port}`, `"${r}" is not a reference; write "node.port" (or "node.port[*]" to gather a matrix node)`, d.id)); continue; }
        const [, up, upPort0, star] = m;
        const ud = decls.get(up), udef = defs.get(up);
        if (!ud) { errs.push(verr(d.file, `${f}.${port}`, `no node "${up}"${didYouMean(up, [...decls.keys()])}`, d.id)); continue; }
        if (!udef) continue; // its unknown type is reported already
        const outs = Object.keys(udef.outputs);
        const upPort = upPort0 ?? (outs.length === 1 ? outs[0] : undefined);
        if (!upPort) { errs.push(verr(d.file, `${f}.${port}`, `${up} has several outputs (${outs.join(', ')}); name one: "${up}.${outs[0]}"`, d.id)); continue; }
        const out = own(udef.outputs, upPort);
        if (!out) { errs.push(verr(d.file, `${f}.${port}`, `${up} (${ud.uses}) has no output "${upPort}"${didYouMean(upPort, outs)}; its outputs: ${outs.join(', ')}`, d.id)); continue; }
        if (!accepts(spec).includes(out.type)) errs.push(verr(d.file, `${f}.${port}`, `${up}.${upPort} is a ${out.type}, but ${d.uses}.${port} takes ${accepts(spec).join(' or ')}`, d.id));
        if (star && !spec.many) errs.push(verr(d.file, `${f}.${port}`, `"${r}" gathers every matrix copy, but ${port} takes one input; gather into a port that takes many`, d.id));
        w.refs.push({ node: up, port: upPort, gather: !!star, type: out.type });
      }
      ws.push(w);
    }
    for (const [port, spec] of Object.entries(def.inputs))
      if (!spec.optional && !has(d.in, port)) errs.push(verr(d.file, `${f}.${port}`, `missing input ${port} (${accepts(spec).join(' or ')}); wire it: "in": { "${port}": "<node>.<port>" }`, d.id));
    wires.set(d.id, ws);
  }
  if (errs.length) throw new WorkflowInvalid(errs);

  // 2. order and cycles (graphology)
  const g = graphOf(decls.keys(), (id) => (wires.get(id) ?? []).flatMap((w) => w.refs.map((r) => r.node)));
  const cycle = findCycle(g);
  if (cycle) throw new WorkflowInvalid([verr(decls.get(cycle[0])!.file, `nodes.${cycle[0]}.in`, `cycle: ${cycle.join(' -> ')}; a node cannot depend on its own output`, cycle[0])]);
  const order = topoOrder(g);

  // 3. which matrix params each node depends on (gathers collapse their source's params)
  const deps = new Map<string, string[]>();
  for (const id of order) {
    const s = new Set([...direct.get(id)!].filter((p) => has(matrix, p)));
    for (const w of wires.get(id)!) for (const r of w.refs) if (!r.gather) for (const p of deps.get(r.node)!) s.add(p);
    deps.set(id, mkeys.filter((k) => s.has(k)));
  }

  // bounds, before anything is copied: the matrix's combinations and the copies they make
  const sizeErr = matrixTooLarge(loaded, matrix, deps, sets);
  if (sizeErr) throw new WorkflowInvalid([sizeErr]);

  // 4. expansion, params and files per copy
  const nodes = new Map<string, PlanNode>();
  const copies = new Map<string, PlanNode[]>();
  const seen = new Set<string>();
  const push = (e: FlowError) => { const k = `${e.context.file}|${e.context.field}|${e.message}`; if (!seen.has(k)) { seen.add(k); errs.push(e); } };
  const watch = new Set<string>(loaded.chain);
  for (const id of order) {
    const d = decls.get(id)!, def = defs.get(id)!;
    const list: PlanNode[] = [];
    for (const branch of product(deps.get(id)!, matrix)) {
      const p = Object.assign(dict<unknown>(), params, branch);
      const raw = substitute(d.with, p, () => {}) as Record<string, unknown>;
      const node = expandOne(d, def, raw, branch, loaded, wires.get(id)!, deps, copies, nodes, push, paramSource);
      if (!node) continue;
      list.push(node);
      nodes.set(node.id, node);
      for (const f of node.files) watch.add(f.abs);
    }
    copies.set(id, list);
  }
  if (errs.length) throw new WorkflowInvalid(errs);

  // where each param a node takes by "$name" was set, when not in the node's own file (a
  // branch, or --set): a run's failure that names its value is blamed there (scheduler.ts)
  for (const n of nodes.values()) {
    const from: Record<string, string> = {};
    for (const name of direct.get(n.base) ?? []) {
      const f = has(sets, name) ? '--set' : own(loaded.paramFile, name);
      if (f && f !== n.file) from[name] = f;
    }
    if (Object.keys(from).length) n.paramFrom = from;
  }
  const dependents = dependentsOf(nodes);
  // provenance nodes list their ancestors now, so that runs (and their cached plans) need no graph
  const provNodes = [...nodes.values()].filter((n) => n.def.provenance);
  if (provNodes.length) {
    const g = graphOf(nodes.keys(), (id) => Object.values(nodes.get(id)!.inputs).flat().map((r) => r.node));
    for (const n of provNodes) { const a = ancestors(g, [n.id]); n.ancestors = [...nodes.keys()].filter((id) => id !== n.id && a.has(id)); }
  }
  return {
    file: loaded.file, rel: relative(loaded.root, loaded.file), root: loaded.root, params, sets, matrix,
    nodes, order: [...nodes.keys()], dependents, watch: [...new Set([...watch, ...loaded.pluginFiles.values()])],
    sources: [...loaded.chain, ...new Set(loaded.pluginFiles.values())], plugins: Object.fromEntries(loaded.pluginFiles),
    ...(loaded.out ? { out: loaded.out } : {}),
    resolve: async (t) => catalog.get(t)!,
  };
}

/**
 * " (resolved against workflows/paper.json, where node raw (load-yearbook) is
 * declared; $dataDir was set in workflows/mine.json)": a relative path in params is resolved
 * against the file that declares the node, not the (branch) file that set the param.
 */
function resolvedNote(d: Decl, p: string, loaded: Loaded): string {
  if (isAbsolute(p)) return '';
  const decl = relative(process.cwd(), d.file) || d.file;
  const used = JSON.stringify(d.with ?? {});
  const name = Object.entries(loaded.params).find(([k, v]) => typeof v === 'string' && v && p.startsWith(v) && used.includes(`$${k}`))?.[0];
  const from = name ? own(loaded.paramFile, name) : undefined;
  const set = from && from !== d.file ? `; $${name} was set in ${relative(process.cwd(), from) || from}, but a path is relative to the file declaring the node` : '';
  return ` (resolved against ${decl}, where node ${d.id} (${d.uses}) is declared${set})`;
}

function expandOne(d: Decl, def: NodeDef<any>, raw: Record<string, unknown>, branch: Record<string, unknown>, loaded: Loaded,
  ws: Wire[], deps: Map<string, string[]>, copies: Map<string, PlanNode[]>, nodes: Map<string, PlanNode>, push: (e: FlowError) => void,
  paramSource: (d: Decl, field: string, branch: Record<string, unknown>) => string): PlanNode | undefined {
  const where = Object.keys(branch).length ? ` (matrix branch ${Object.entries(branch).map(([k, v]) => `${k}=${fmtVal(v)}`).join(', ')})` : '';
  const f = `nodes.${d.id}.with`;
  let ok = true;
  for (const k of unknownKeys(def.params, raw)) {
    const shape = Object.keys((def.params as any).shape ?? {});
    push(verr(d.file, `${f}.${k}`, `unknown param of ${d.uses}${didYouMean(k, shape)}; its params: ${shape.join(', ') || 'none'}`, d.id));
    ok = false;
  }
  const r = def.params.safeParse(raw);
  if (!r.success) {
    for (const [field, msg] of paramIssues(def.params, raw, r.error.issues)) push(verr(d.file, field ? `${f}.${field}` : f, msg + (field ? paramSource(d, field, branch) : '') + where, d.id));
    return undefined;
  }
  try { canonical(r.data); } catch { push(verr(d.file, f, `params must be plain JSON (no NaN, Infinity or functions)${where}`, d.id)); return undefined; }
  const files: { abs: string; rel: string }[] = [];
  for (const p of def.files?.(r.data) ?? []) {
    const abs = resolve(dirname(d.file), p);
    if (!inside(loaded.root, abs)) { push(verr(d.file, f, `path ${p} leaves the project tree (${loaded.root})${resolvedNote(d, p, loaded)}; keep data inside the project${where}`, d.id)); ok = false; continue; }
    const bad = inputPathProblem(loaded.root, abs);
    if (bad) { push(verr(d.file, f, `${p} ${bad.startsWith('does not exist') ? `does not exist${resolvedNote(d, p, loaded)}` : bad}${where}`, d.id)); ok = false; continue; }
    files.push({ abs, rel: relative(loaded.root, abs).split('\\').join('/') });
  }
  const code = loaded.code.get(d.uses);
  if (code === undefined) { push(verr(d.file, `nodes.${d.id}.uses`, `the node catalogue has no code hash for ${d.uses}, so its results could not be keyed on its code; rebuild (npm run build)`, d.id)); ok = false; }
  if (!ok) return undefined;
  const inputs: Record<string, InputRef[]> = {};
  const gathers = new Set<string>();
  for (const w of ws) {
    inputs[w.port] = [];
    for (const ref of w.refs) {
      if (ref.gather) {
        gathers.add(w.port);
        for (const c of copies.get(ref.node) ?? []) inputs[w.port].push({ node: c.id, port: ref.port, type: ref.type, branch: c.branch });
      } else {
        const sub = Object.fromEntries(deps.get(ref.node)!.map((k) => [k, branch[k]]));
        const upId = instanceId(ref.node, sub);
        if (!nodes.has(upId)) return undefined; // upstream copy invalid: reported there
        inputs[w.port].push({ node: upId, port: ref.port, type: ref.type });
      }
    }
  }
  return {
    id: instanceId(d.id, branch), base: d.id, branch, type: d.uses, def: nodeInfo(def), params: r.data, file: d.file,
    inputs, gathers, files, code: code!,
  };
}

/** The matrix refused when its combinations, or the node copies they make, exceed their limits. */
function matrixTooLarge(loaded: Loaded, matrix: Record<string, unknown[]>, deps: Map<string, string[]>, sets: Record<string, unknown>): FlowError | undefined {
  const sizes = Object.entries(matrix).map(([k, v]) => `${k} (${v.length})`).join(' x ');
  const combos = Object.values(matrix).reduce((n, v) => n * v.length, 1);
  const maxCombos = limitOf(LIMITS.combinations);
  const fixing = Object.keys(sets).length ? '' : ', or fix some with --set';
  if (combos > maxCombos)
    return verr(loaded.matrixFile, 'matrix', `${sizes} = ${combos.toLocaleString('en-US')} combinations; ${raiseHint(LIMITS.combinations, combos)} (or list fewer values${fixing})`);
  let copies = 0;
  for (const ks of deps.values()) copies += ks.reduce((n, k) => n * matrix[k].length, 1);
  const maxNodes = limitOf(LIMITS.planNodes);
  if (copies > maxNodes)
    return verr(loaded.matrixFile, 'matrix', `${sizes} makes ${copies.toLocaleString('en-US')} node copies; ${raiseHint(LIMITS.planNodes, copies)} (or list fewer values${fixing})`);
  return undefined;
}

function* product(keys: string[], matrix: Record<string, unknown[]>, i = 0, acc: Record<string, unknown> = {}): Generator<Record<string, unknown>> {
  if (i === keys.length) { yield { ...acc }; return; }
  for (const v of matrix[keys[i]]) { acc[keys[i]] = v; yield* product(keys, matrix, i + 1, acc); }
  delete acc[keys[i]];
}
