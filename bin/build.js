// `npm run build` (with `tsc --noEmit` as the type check): bundles src/ into dist/ with
// esbuild, then writes the workflow schema and dist/nodes/manifest.json (gen-schema.js).
// One bundle, code-split, dependencies included: a `flow` process loads a few dozen files
// instead of ~2,000 small modules (zod, arquero, @stdlib are many files each).
// Every module the runtime loads by path is an entry point, at the path tsc would give it:
//   dist/cli/main.js (bin/flow.js), dist/cli/<command>.js, dist/nodes/<file>.js (the
//   manifest; worker threads), dist/graph/worker.js, dist/graph/schema.js (gen-schema),
//   dist/synth/write.js (run by hand). Shared code goes to dist/chunks/ (one level down, as
//   the entries are: `new URL('../nodes/x.js', import.meta.url)` works from either).
// Files in dist/ that this build did not write (an older build's chunks, tsc output) are
// removed, so the manifest's stamp covers exactly what runs.
import { build } from 'esbuild';
import { readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const ts = (dir) => readdirSync(join(src, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(src, dir, f));

const entryPoints = [
  ...ts('cli'),
  ...ts('nodes'),
  join(src, 'graph/worker.ts'),
  join(src, 'graph/schema.ts'),
  join(src, 'synth/write.ts'),
];

const result = await build({
  entryPoints,
  outbase: src,
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // only for `dag: "graphviz"` (a 1.4 MB WebAssembly module), imported on first use
  external: ['@viz-js/viz'],
  // CommonJS dependencies (@stdlib, commander, graphology, ...) call require() for Node built-ins
  banner: { js: "import { createRequire as __flowRequire } from 'node:module'; const require = __flowRequire(import.meta.url);" },
  // no identifier minification: names stay readable in FLOW_DEBUG stack traces (and
  // csv.ts ships a function's source text to a worker); this alone cuts parse time ~20%
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// remove what this build did not write
const written = new Set(Object.keys(result.metafile.outputs).map((p) => resolve(root, p)));
const keep = new Set([join(dist, 'nodes', 'manifest.json'), join(dist, '.build-lock')]);
const prune = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (keep.has(p)) continue;
    if (e.isDirectory()) { prune(p); try { rmdirSync(p); } catch { /* not empty */ } } else if (!written.has(p)) rmSync(p, { force: true });
  }
};
prune(dist);
// FLOW_BUILD_META=file.json: esbuild's metafile, to see what went into which chunk
if (process.env.FLOW_BUILD_META) writeFileSync(process.env.FLOW_BUILD_META, JSON.stringify(result.metafile));
const bytes = [...written].reduce((s, p) => s + statSync(p).size, 0);
console.log(`esbuild: ${written.size} files in ${relative(root, dist)}/ (${(bytes / 1e6).toFixed(1)} MB)`);

const r = spawnSync(process.execPath, [join(root, 'bin/gen-schema.js')], { cwd: root, stdio: 'inherit' });
process.exitCode = r.status ?? 1;
