// Reading workflow files: JSON, the `extends` chain, plugins, and the shape of each
// field. Produces the merged declarations that plan.ts wires, checks and expands.
// Every problem is collected as a FlowError naming file and field; nothing throws midway.
import { existsSync, readFileSync } from 'node:fs';
import { inside, inputPathProblem } from './paths.js';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlowError } from '../errors.js';
import type { NodeDef } from './node.js';
import { sha256 } from './hash.js';
import { loadZod } from './paramerr.js';
import { has, dict } from './own.js';
import { jsonProblem } from './json-check.js';

export interface NodeCatalog {
  get(type: string): NodeDef<any> | undefined;
  all(): NodeDef<any>[];
  /** every type name, without loading definitions (for "did you mean") */
  names?(): string[];
  /** loads the definitions of these types, so that get() finds them (a lazy catalogue) */
  prepare?(types: string[]): Promise<void>;
  /** node type -> hash of the code it runs (src/graph/code.ts), for these types; part of every key */
  codeHashes?(types: string[]): Promise<Record<string, string>>;
}

export interface Decl {
  id: string;
  uses: string;
  with: Record<string, unknown>;
  in: Record<string, string | string[]>;
  /** absolute path of the workflow file that declared the node (paths in `with` are relative to it) */
  file: string;
}

export interface Loaded {
  file: string;
  root: string;
  /** the extends chain, the file itself first */
  chain: string[];
  params: Record<string, unknown>;
  /** file that last set each param */
  paramFile: Record<string, string>;
  matrix: Record<string, unknown[]>;
  matrixFile: string;
  nodes: Map<string, Decl>;
  catalog: NodeCatalog;
  /** node type -> hash of its code: the catalogue's code hash, or the sha256 of the plugin module that defined it */
  code: Map<string, string>;
  /** node type -> absolute path of the plugin module that defined it */
  pluginFiles: Map<string, string>;
  /** default output folder (absolute), from `out` (see resolveOut); undefined: none */
  out?: string;
}

/** A workflow that failed validation: every problem found, each naming file and field. */
export class WorkflowInvalid extends FlowError {
  constructor(readonly errors: FlowError[]) {
    super('validate', errors.map(formatError).join('\n'), errors[0]?.context ?? {});
    this.name = 'WorkflowInvalid';
  }
}

/** `file: field: message`, with the file relative to the working directory. */
export function formatError(e: FlowError): string {
  const c = e.context;
  const file = c.file ? (isAbsolute(c.file) ? relative(process.cwd(), c.file) || c.file : c.file) : '';
  return [file, c.field, e.message].filter((x): x is string => !!x).map(clipLong).join(': ');
}

/** Words of a message longer than 120 characters (a pasted 1 MB name) shown by their start and length. */
const clipLong = (s: string) => s.length <= 120 ? s : s.replace(/[^\s:]{121,}/g, (w) => `${w.slice(0, 60)}...(${w.length} characters)`);

export const verr = (file: string, field: string | undefined, message: string, node?: string) =>
  new FlowError('validate', message, { file, field, node });

/** Nearest ancestor directory holding package.json, else the working directory. */
export function projectRoot(file: string): string {
  let d = dirname(resolve(file));
  for (;;) {
    if (existsSync(resolve(d, 'package.json'))) return d;
    const up = dirname(d);
    if (up === d) return process.cwd();
    d = up;
  }
}

export { inside } from './paths.js';

const TOP_KEYS = ['$schema', 'description', 'extends', 'plugins', 'out', 'params', 'matrix', 'nodes'];
const NODE_KEYS = ['uses', 'with', 'in', 'description'];
export const ID_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Names longer than this get no edit-distance hint (node types, ports and params are short;
 * a 1 MB typo must not cost a 1 MB x name-length table). */
export const HINT_MAX_LENGTH = 100;

/**
 * Optimal-string-alignment distance (Levenshtein + adjacent transposition) of a and b, or
 * Infinity once it must exceed `limit`: three rolling rows, and a row whose minimum is
 * above the limit stops the computation (the distance can only grow from there).
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return Infinity;
  let prev2 = new Int32Array(b.length + 1), prev = new Int32Array(b.length + 1), cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return Infinity;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length] <= limit ? prev[b.length] : Infinity;
}

/** The known names closest to `name`, for "did you mean" hints (bounded work for any input). */
export function closest(name: string, known: string[], max = 3): string[] {
  const lim = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const short = name.length <= HINT_MAX_LENGTH;
  return known.map((k) => [k, short && k.length <= HINT_MAX_LENGTH ? editDistance(lower, k.toLowerCase(), lim) : Infinity] as const)
    .filter(([k, x]) => (x <= lim && x < name.length) || (short && name.length > 2 && (k.includes(name) || name.includes(k))))
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, max).map(([k]) => k);
}

export const didYouMean = (name: string, known: string[]) => {
  const c = closest(name, known);
  return c.length ? ` (did you mean ${c.map((x) => `"${x}"`).join(' or ')}?)` : '';
};

interface RawFile { file: string; json: Record<string, unknown> }

function readJson(file: string, from: string | undefined, field: string | undefined, errs: FlowError[]): RawFile | undefined {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch {
    errs.push(from ? verr(from, field, `${relative(dirname(from), file)} not found; extends takes a path relative to this file`)
      : verr(file, undefined, 'workflow file not found; check the path'));
    return undefined;
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    let where = '';
    if (m) { const pre = text.slice(0, Number(m[1])).split('\n'); where = ` at line ${pre.length}, column ${pre[pre.length - 1].length + 1}`; }
    errs.push(verr(file, undefined, `not valid JSON${where}: ${(e as Error).message.replace(/^JSON\.parse: /, '')}`));
    return undefined;
  }
  if (!isObj(json)) { errs.push(verr(file, undefined, 'a workflow file must be a JSON object with "params" and "nodes"')); return undefined; }
  const bad = jsonProblem(json);
  if (bad) { errs.push(verr(file, bad.path || undefined, bad.message)); return undefined; }
  return { file, json };
}

/** Checks the shape of one file's fields (not yet node types or wiring). */
function checkShape({ file, json }: RawFile, errs: FlowError[]): void {
  for (const k of Object.keys(json)) if (!TOP_KEYS.includes(k)) errs.push(verr(file, k, `unknown key${didYouMean(k, TOP_KEYS)}; a workflow has ${TOP_KEYS.slice(1).join(', ')}`));
  if ('extends' in json && typeof json.extends !== 'string') errs.push(verr(file, 'extends', 'expected a path to the base workflow (a string)'));
  if ('plugins' in json && (!Array.isArray(json.plugins) || json.plugins.some((p) => typeof p !== 'string'))) errs.push(verr(file, 'plugins', 'expected a list of module paths, e.g. ["./my-nodes.js"]'));
  if ('out' in json && json.out !== null && (typeof json.out !== 'string' || json.out.trim() === '')) errs.push(verr(file, 'out', 'expected a folder path relative to this file, e.g. "../out/paper" (or null for none)'));
  if ('params' in json && !isObj(json.params)) errs.push(verr(file, 'params', 'expected an object of name: value'));
  if ('matrix' in json) {
    if (!isObj(json.matrix)) errs.push(verr(file, 'matrix', 'expected an object of param: [values...]'));
    else for (const [k, v] of Object.entries(json.matrix))
      if (!Array.isArray(v) || v.length === 0) errs.push(verr(file, `matrix.${k}`, 'expected a non-empty list of values'));
      else if (new Set(v.map((x) => JSON.stringify(x))).size !== v.length) errs.push(verr(file, `matrix.${k}`, 'lists a value twice; each combination must be distinct'));
  }
  if ('nodes' in json && !isObj(json.nodes)) errs.push(verr(file, 'nodes', 'expected an object of node id: { uses, with, in }'));
  if (!isObj(json.nodes)) return;
  for (const [id, n] of Object.entries(json.nodes)) {
    const f = `nodes.${id}`;
    if (!ID_RE.test(id)) errs.push(verr(file, f, 'node ids are letters, digits, _ and -, starting with a letter or _', id));
    if (n === null) continue; // removes an inherited node
    if (!isObj(n)) { errs.push(verr(file, f, 'expected { "uses": "<node type>", "with": {...}, "in": {...} } (or null to remove an inherited node)', id)); continue; }
    for (const k of Object.keys(n)) if (!NODE_KEYS.includes(k)) errs.push(verr(file, `${f}.${k}`, `unknown key${didYouMean(k, NODE_KEYS)}; a node has uses, with, in`, id));
    if (typeof n.uses !== 'string') errs.push(verr(file, `${f}.uses`, 'missing node type: add "uses": "<type>" (see `flow nodes`)', id));
    if ('with' in n && !isObj(n.with)) errs.push(verr(file, `${f}.with`, 'expected an object of params', id));
    if ('in' in n) {
      if (!isObj(n.in)) errs.push(verr(file, `${f}.in`, 'expected an object of port: "node.port"', id));
      else for (const [p, v] of Object.entries(n.in))
        if (!(typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))))
          errs.push(verr(file, `${f}.in.${p}`, 'expected "node.port" or a list of them', id));
    }
  }
}

/** Reads a workflow and its extends chain, merges them, loads plugins. Throws WorkflowInvalid. */
export async function loadWorkflow(file: string, base: NodeCatalog): Promise<Loaded> {
  const abs = resolve(file);
  const root = projectRoot(abs);
  const errs: FlowError[] = [];
  await loadZod();
  const chain: RawFile[] = [];
  if (!inside(root, abs)) throw new WorkflowInvalid([verr(abs, undefined, `the workflow is outside the project ${root}`)]);
  const badFile = existsSync(abs) ? inputPathProblem(root, abs) : undefined;
  if (badFile) throw new WorkflowInvalid([verr(abs, undefined, `the workflow file ${badFile}`)]);
  let cur: RawFile | undefined = readJson(abs, undefined, undefined, errs);
  while (cur) {
    checkShape(cur, errs);
    chain.push(cur);
    const ext = cur.json.extends;
    if (typeof ext !== 'string') break;
    const next = resolve(dirname(cur.file), ext);
    if (!inside(root, next)) { errs.push(verr(cur.file, 'extends', `${ext} leaves the project tree (${root}); workflows extend files inside the project`)); break; }
    const badExt = existsSync(next) ? inputPathProblem(root, next) : undefined;
    if (badExt) { errs.push(verr(cur.file, 'extends', `${ext} ${badExt}`)); break; }
    if (chain.some((c) => c.file === next)) {
      const names = [...chain.map((c) => relative(root, c.file)), relative(root, next)];
      errs.push(verr(cur.file, 'extends', `extends chain loops: ${names.join(' -> ')}; remove one of the extends`));
      break;
    }
    cur = readJson(next, cur.file, 'extends', errs);
  }
  if (errs.length) throw new WorkflowInvalid(errs);

  // merge, base first: params and matrix by key, nodes replaced whole (null removes)
  const params = dict<unknown>(), paramFile = dict<string>();
  let matrix = dict<unknown[]>(), matrixFile = abs;
  const nodes = new Map<string, Decl>();
  const plugins: { path: string; file: string }[] = [];
  for (const { file: f, json } of [...chain].reverse()) {
    for (const [k, v] of Object.entries((json.params as object) ?? {})) { params[k] = v; paramFile[k] = f; }
    if (isObj(json.matrix)) { matrix = Object.assign(matrix, json.matrix as Record<string, unknown[]>); matrixFile = f; }
    for (const p of (json.plugins as string[]) ?? []) plugins.push({ path: p, file: f });
    for (const [id, n] of Object.entries((json.nodes as Record<string, any>) ?? {})) {
      if (n === null) { nodes.delete(id); continue; }
      nodes.set(id, { id, uses: n.uses, with: n.with ?? {}, in: n.in ?? {}, file: f });
    }
  }
  const out = resolveOut(chain, root, errs);
  for (const k of Object.keys(matrix)) if (!has(params, k)) errs.push(verr(matrixFile, `matrix.${k}`, `not a param${didYouMean(k, Object.keys(params))}; declare it in "params" with its default value`));

  const catalog = await loadPlugins(plugins, root, base, errs);
  // a lazy catalogue loads only the built-in node modules this workflow uses
  const builtins = [...new Set([...nodes.values()].map((n) => n.uses).filter((t) => typeof t === 'string' && !catalog.files.has(t)))];
  await base.prepare?.(builtins);
  if (errs.length) throw new WorkflowInvalid(errs);
  const known = builtins.filter((t) => base.get(t));
  const code = new Map(catalog.code);
  if (known.length && base.codeHashes) for (const [t, h] of Object.entries(await base.codeHashes(known))) code.set(t, h);
  return { file: abs, root, chain: chain.map((c) => c.file), params, paramFile, matrix, matrixFile, nodes, catalog: catalog.catalog, code, pluginFiles: catalog.files, out };
}

/**
 * The default output folder of a workflow (`"out"`, relative to the file that sets it,
 * inside the project and not the project root itself). A file of an `extends` chain that
 * does not set `out` never writes into its base's folder: it gets a sibling of the
 * nearest base's folder named after its own file, e.g. paper.json `"out": "../out/paper"`
 * -> robust-delta.json (extends paper.json) writes to ../out/robust-delta. `"out": null`
 * means no default folder (only `flow run --out DIR` writes).
 */
function resolveOut(chain: RawFile[], root: string, errs: FlowError[]): string | undefined {
  const check = (file: string, raw: string): string | undefined => {
    const abs = resolve(dirname(file), raw);
    if (!inside(root, abs)) { errs.push(verr(file, 'out', `${raw} leaves the project tree (${root}); keep outputs inside the project`)); return undefined; }
    if (abs === root) { errs.push(verr(file, 'out', `${raw} is the project root; name a folder for the outputs, e.g. "out/<workflow>"`)); return undefined; }
    return abs;
  };
  const i = chain.findIndex((c) => 'out' in c.json);
  if (i < 0) return undefined;
  const { file, json } = chain[i];
  if (typeof json.out !== 'string') return undefined; // null: none (a bad value is reported by checkShape)
  const own = check(file, json.out);
  if (i === 0 || !own) return own;
  // inherited: a sibling of the base's folder, named after this file
  const self = chain[0].file;
  const derived = resolve(own, '..', basename(self, extname(self)));
  if (derived === own) { errs.push(verr(self, 'out', `would default to ${relative(dirname(self), derived)}, the output folder of its base ${relative(dirname(self), file)}; set "out" to a folder of its own`)); return undefined; }
  return inside(root, derived) && derived !== root ? derived : undefined;
}

export const looksLikeNode = (x: any): x is NodeDef<any> => isObj(x) && typeof x.type === 'string' && typeof x.run === 'function' && typeof x.version === 'number';

async function loadPlugins(list: { path: string; file: string }[], root: string, base: NodeCatalog, errs: FlowError[]) {
  const extra = new Map<string, NodeDef<any>>();
  const code = new Map<string, string>();
  const files = new Map<string, string>();
  const seen = new Set<string>();
  for (const { path, file } of list) {
    const abs = resolve(dirname(file), path);
    if (seen.has(abs)) continue;
    seen.add(abs);
    if (!inside(root, abs)) { errs.push(verr(file, 'plugins', `${path} leaves the project tree; plugins must live inside the project`)); continue; }
    const badPlugin = existsSync(abs) ? inputPathProblem(root, abs) : undefined;
    if (badPlugin) { errs.push(verr(file, 'plugins', `${path} ${badPlugin}`)); continue; }
    let text: Buffer;
    try { text = readFileSync(abs); } catch { errs.push(verr(file, 'plugins', `${path} not found (paths are relative to this workflow file)`)); continue; }
    let mod: Record<string, unknown>;
    try { mod = await import(pathToFileURL(abs).href); } catch (e) {
      errs.push(new FlowError('validate', `plugin ${path} failed to load: ${(e as Error).message}`, { file, field: 'plugins' }, e)); continue;
    }
    const defs = [mod.default, ...Object.entries(mod).filter(([k]) => k !== 'default').map(([, v]) => v)].flat().filter(looksLikeNode);
    if (!defs.length) errs.push(verr(file, 'plugins', `${path} exports no node definitions (objects with type, version, params, inputs, outputs, run)`));
    for (const d of defs) {
      if ((base.names ? base.names().includes(d.type) : base.get(d.type)) || (extra.has(d.type) && extra.get(d.type) !== d)) { errs.push(verr(file, 'plugins', `${path} defines node type "${d.type}", which already exists; rename it`)); continue; }
      extra.set(d.type, d);
      code.set(d.type, sha256(text));
      files.set(d.type, abs);
    }
  }
  const catalog: NodeCatalog = extra.size === 0 ? base : {
    get: (t) => extra.get(t) ?? base.get(t),
    all: () => [...base.all(), ...extra.values()].sort((a, b) => a.type.localeCompare(b.type)),
    names: () => [...(base.names ? base.names() : base.all().map((d) => d.type)), ...extra.keys()],
  };
  return { catalog, code, files };
}
