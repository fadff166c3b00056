// Run by `npm run build` (bin/build.js), from dist/, with the build's metafile and source
// stamp: writes schema/workflow.schema.json from the node catalogue, and, last,
// dist/nodes/manifest.json: node type -> { module file, code hash } (so that `flow run`
// imports only the node modules a workflow uses, and keys every node on its code), a stamp
// of the built files (the plan cache's key), and the sources it was built from (dist-stale.js).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allNodes } from '../dist/nodes/index.js';
import { workflowSchema } from '../dist/graph/schema.js';
import { codeHashes } from '../dist/graph/code.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { metafile, sources } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = join(root, 'schema', 'workflow.schema.json');
mkdirSync(dirname(out), { recursive: true });
const nodes = allNodes();
writeFileSync(out, JSON.stringify(workflowSchema(nodes), null, 2) + '\n');
console.log(`wrote schema/workflow.schema.json (${nodes.length} node types)`);

const dist = join(root, 'dist');
const files = [];
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith('.js')) files.push(p); } };
walk(dist);
files.sort();
const stamp = createHash('sha256');
for (const f of files) stamp.update(relative(dist, f)).update('\0').update(readFileSync(f)).update('\0');
const registered = new Set(nodes);
const modules = {};
for (const f of readdirSync(join(dist, 'nodes')).filter((f) => f.endsWith('.js') && f !== 'index.js').sort()) {
  const mod = await import(pathToFileURL(join(dist, 'nodes', f)).href);
  for (const v of Object.values(mod)) if (registered.has(v) && !(v.type in modules)) modules[v.type] = f;
}
const missing = nodes.filter((d) => !(d.type in modules)).map((d) => d.type);
if (missing.length) {
  console.error(`manifest: ${missing.join(', ')} not exported from a dist/nodes file; every node type must be (its code hash comes from its module)`);
  process.exit(1);
}
const code = await codeHashes(root, metafile, Object.fromEntries(Object.entries(modules).map(([t, f]) => [t, `src/nodes/${f.replace(/\.js$/, '.ts')}`])));
const types = Object.fromEntries(Object.keys(modules).sort().map((t) => [t, { file: modules[t], code: code[t] }]));
writeFileSync(join(dist, 'nodes', 'manifest.json'), JSON.stringify({ stamp: stamp.digest('hex'), types, sources }, null, 1) + '\n');
console.log(`wrote dist/nodes/manifest.json (${Object.keys(types).length} node types with their code hashes)`);
