// The esbuild options of flow's bundle, in one place: bin/build.js bundles dist/ with them,
// and src/graph/code.ts (running from source, under tsx or vitest) bundles the node modules
// in memory with the same options to find what code each node type runs.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every node module: src/nodes/*.ts (each an entry point: the manifest, worker threads). */
export function nodeEntries(root) {
  return readdirSync(join(root, 'src/nodes')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort().map((f) => `src/nodes/${f}`);
}

/** Options for esbuild's build(); entry points (relative to root) and outdir are the caller's. */
export function bundleOptions(root) {
  return {
    absWorkingDir: root,
    outbase: 'src',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    // @viz-js/viz: only for `dag: "graphviz"` (a 1.4 MB WebAssembly module), imported on first use;
    // esbuild: only when running from source (src/graph/code.ts), never from dist/
    external: ['@viz-js/viz', 'esbuild'],
    // CommonJS dependencies (@stdlib, commander, graphology, ...) call require() for Node built-ins
    banner: { js: "import { createRequire as __flowRequire } from 'node:module'; const require = __flowRequire(import.meta.url);" },
    // no identifier minification: names stay readable in FLOW_DEBUG stack traces (and
    // csv.ts ships a function's source text to a worker); this alone cuts parse time ~20%
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
}
