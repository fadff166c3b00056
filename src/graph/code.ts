// Code hashes: for each node type, a sha256 of the code it runs, so that a change of a kernel
// re-runs exactly the nodes whose code changed. Computed from esbuild's metafile: the code a
// node type runs is every input file with bytes in the outputs its module loads (its entry
// output and every chunk it imports, statically or dynamically, transitively). The unit is
// the module: iv imports helpers from nodes/fe.ts, so it counts fe's imports too (the wild
// bootstrap among them) and re-runs when they change; a module no part of which reaches a node
// type's bundle (tree-shaken away, or types only) does not count for it.
// A file counts by the hash of its code as esbuild emits it (whitespace and comments removed:
// a comment-only edit changes no hash), a package by name@version.
// `npm run build` computes them once (bin/gen-schema.js writes them to the manifest, and a
// run reads them from there: no source is hashed at run time); running from source (tsx,
// vitest) computes them from src/ with the same bundle options, in memory, once per process.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256 } from './hash.js';

/** The parts of esbuild's metafile used here (paths relative to absWorkingDir). */
export interface Metafile {
  inputs: Record<string, { bytes: number }>;
  outputs: Record<string, {
    entryPoint?: string;
    inputs: Record<string, { bytesInOutput: number }>;
    imports: { path: string; kind: string; external?: boolean }[];
  }>;
}

/** The input files and external packages of the code an entry point runs. */
export function codeOf(meta: Metafile, entry: string): { inputs: string[]; externals: string[] } {
  const start = Object.keys(meta.outputs).find((o) => meta.outputs[o].entryPoint === entry);
  if (!start) throw new Error(`${entry} is not an entry point of this build`);
  const inputs = new Set<string>(), externals = new Set<string>(), seen = new Set<string>();
  const visit = (o: string) => {
    if (seen.has(o)) return;
    seen.add(o);
    const out = meta.outputs[o];
    for (const [i, { bytesInOutput }] of Object.entries(out.inputs)) if (bytesInOutput > 0) inputs.add(i);
    for (const imp of out.imports) {
      if (imp.external) { if (!isBuiltin(imp.path)) externals.add(imp.path); } else if (meta.outputs[imp.path]) visit(imp.path);
    }
  };
  visit(start);
  return { inputs: [...inputs].sort(), externals: [...externals].sort() };
}

const BUILTIN = new Set(builtinModules);
const isBuiltin = (spec: string) => spec.startsWith('node:') || BUILTIN.has(spec.split('/')[0]);

/** A package's directory (relative path ending at its name) for a path inside node_modules. */
function packageDir(path: string): string | undefined {
  const parts = path.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  return parts.slice(0, i + (parts[i + 1].startsWith('@') ? 3 : 2)).join('/');
}

/**
 * How one input counts: a package file as name@version, one of our files as the hash of its
 * code with whitespace and comments removed (esbuild transform). Memoized per process.
 */
export async function codeUnits(root: string): Promise<{ input: (path: string) => string; external: (spec: string) => string }> {
  const esbuild = await import('esbuild');
  const memo = new Map<string, string>();
  const pkg = (dir: string) => {
    let v = memo.get(dir);
    if (v === undefined) {
      const j = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string };
      memo.set(dir, (v = `${j.name}@${j.version}`));
    }
    return v;
  };
  const LOADERS: Record<string, 'ts' | 'js' | 'json'> = { '.ts': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };
  return {
    input: (path) => {
      const dir = packageDir(path);
      if (dir) return pkg(dir);
      const text = readFileSync(join(root, path), 'utf8');
      const loader = LOADERS[extname(path)] ?? 'js';
      const code = esbuild.transformSync(text, { loader, format: 'esm', target: 'node20', minifyWhitespace: true, minifySyntax: true, legalComments: 'none' }).code;
      return 'sha256:' + sha256(code);
    },
    external: (spec) => {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      try { return pkg(`node_modules/${name}`); } catch { return `external:${spec}`; }
    },
  };
}

/** The code hash of each entry point (node type -> entry, e.g. src/nodes/pim.ts). */
export async function codeHashes(root: string, meta: Metafile, entries: Record<string, string>): Promise<Record<string, string>> {
  const units = await codeUnits(root);
  const out: Record<string, string> = {};
  const byEntry = new Map<string, string>();
  for (const [type, entry] of Object.entries(entries)) {
    let h = byEntry.get(entry);
    if (!h) {
      const { inputs, externals } = codeOf(meta, entry);
      const list = [...new Set([...inputs.map(units.input), ...externals.map(units.external)])].sort();
      byEntry.set(entry, (h = sha256('flow-code 1\n' + list.join('\n'))));
    }
    out[type] = h;
  }
  return out;
}

const sourceMemo = new Map<string, Promise<Record<string, string>>>();

/**
 * Running from source: node type -> code hash, from an in-memory bundle of src/nodes/*.ts with
 * the options of `npm run build` (bin/bundle-options.js). `root` is the project holding src/.
 */
export function sourceCodeHashes(root: string): Promise<Record<string, string>> {
  let p = sourceMemo.get(root);
  if (!p) sourceMemo.set(root, (p = computeSourceHashes(root)));
  return p;
}

async function computeSourceHashes(root: string): Promise<Record<string, string>> {
  return codeHashes(root, await bundleMetafile(root), await nodeModules(root));
}

const bundleOptionsOf = async (root: string) => {
  // a computed specifier: the bundle must not include the build scripts (never used from dist/)
  const url = pathToFileURL(join(root, 'bin', 'bundle-options.js')).href;
  return await import(url) as { bundleOptions: (r: string) => object; nodeEntries: (r: string) => string[] };
};

/** esbuild's metafile of the node modules of the project at root (bundled in memory, as `npm run build` does). */
export async function bundleMetafile(root: string): Promise<Metafile> {
  const { bundleOptions, nodeEntries } = await bundleOptionsOf(root);
  const esbuild = await import('esbuild');
  const r = await esbuild.build({ ...bundleOptions(root), entryPoints: nodeEntries(root), outdir: join(root, 'dist'), write: false });
  return r.metafile as unknown as Metafile;
}

/** node type -> the node module (entry, e.g. src/nodes/pim.ts) that exports it first, in file order. */
export async function nodeModules(root: string): Promise<Record<string, string>> {
  const { nodeEntries } = await bundleOptionsOf(root);
  const types: Record<string, string> = {};
  for (const e of nodeEntries(root)) {
    const mod = await import(pathToFileURL(join(root, e)).href) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      const t = (v as { type?: unknown })?.type;
      if (typeof t === 'string' && typeof (v as { run?: unknown }).run === 'function' && !(t in types)) types[t] = e;
    }
  }
  return types;
}
