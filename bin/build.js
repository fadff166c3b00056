// `npm run build`: bundles src/ into dist/ with esbuild (options: bin/bundle-options.js), then
// bin/gen-schema.js writes the workflow schema and dist/nodes/manifest.json: node type ->
// module file and code hash (src/graph/code.ts, from this build's metafile), and the stamp
// of the sources it was built from (bin/dist-stale.js). No type check here (`npm test` and
// CI run `tsc`): `prepare` (npm ci, npx) only bundles, and `--if-stale` skips even that when
// dist/ was built from the sources that are here.
// One bundle, code-split, dependencies included: a `flow` process loads a few dozen files
// instead of ~2,000 small modules (zod, arquero, @stdlib are many files each).
// Every module the runtime loads by path is an entry point, at the path tsc would give it:
//   dist/cli/main.js (bin/flow.js), dist/cli/<command>.js, dist/nodes/<file>.js (the
//   manifest; worker threads), dist/graph/worker.js, dist/graph/schema.js and
//   dist/graph/code.js (gen-schema), dist/synth/write.js (run by hand). Shared code goes to
//   dist/chunks/ (one level down, as the entries are: `new URL('../nodes/x.js', import.meta.url)`
//   works from either).
// Files in dist/ that this build did not write (an older build's chunks, tsc output) are
// removed, so the manifest's stamp covers exactly what runs.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleOptions, nodeEntries } from './bundle-options.js';
import { distState, sourceStamp } from './dist-stale.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

if (process.argv.includes('--if-stale') && distState(root).state === 'fresh') {
  console.log('dist/ is up to date');
  process.exit(0);
}

const ts = (dir) => readdirSync(join(root, 'src', dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort().map((f) => `src/${dir}/${f}`);
const entryPoints = [...ts('cli'), ...nodeEntries(root), 'src/graph/worker.ts', 'src/remote/processor.ts', 'src/graph/schema.ts', 'src/graph/code.ts', 'src/synth/write.ts'];

// the sources as they are when the bundle is made (an edit during the build makes it stale)
const sources = sourceStamp(root);
let result;
try {
  const { build } = await import('esbuild'); // only now: `--if-stale` on a fresh dist/ stays ~50 ms
  result = await build({ ...bundleOptions(root), entryPoints, outdir: dist });
} catch {
  // esbuild has printed the errors
  console.error('build failed: dist/ is left as it was (flow refuses to run it until a build succeeds)');
  process.exit(1);
}

// remove what this build did not write
const written = new Set(Object.keys(result.metafile.outputs).map((p) => resolve(root, p)));
const keep = new Set([join(dist, '.build-lock')]);
const prune = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (keep.has(p)) continue;
    if (e.isDirectory()) { prune(p); try { rmdirSync(p); } catch { /* not empty */ } } else if (!written.has(p)) rmSync(p, { force: true });
  }
};
prune(dist);
// flow ui's page (src/ui/*.html, .js, .css): plain files, shipped as they are to dist/ui/
mkdirSync(join(dist, 'ui'), { recursive: true });
for (const f of readdirSync(join(root, 'src/ui')).filter((f) => /\.(html|js|css)$/.test(f))) { copyFileSync(join(root, 'src/ui', f), join(dist, 'ui', f)); written.add(join(dist, 'ui', f)); }
// FLOW_BUILD_META=file.json: esbuild's metafile, to see what went into which chunk
if (process.env.FLOW_BUILD_META) writeFileSync(process.env.FLOW_BUILD_META, JSON.stringify(result.metafile));
const bytes = [...written].reduce((s, p) => s + statSync(p).size, 0);
console.log(`esbuild: ${written.size} files in ${relative(root, dist)}/ (${(bytes / 1e6).toFixed(1)} MB)`);

const tmp = mkdtempSync(join(tmpdir(), 'flow-build-'));
try {
  writeFileSync(join(tmp, 'build.json'), JSON.stringify({ metafile: result.metafile, sources }));
  const r = spawnSync(process.execPath, [join(root, 'bin/gen-schema.js'), join(tmp, 'build.json')], { cwd: root, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
} finally { rmSync(tmp, { recursive: true, force: true }); }
