// Run by `npm run build`, from dist/: writes schema/workflow.schema.json from the node
// catalogue, and dist/nodes/manifest.json (node type -> module file, plus a stamp of the
// build) so that `flow run` imports only the node modules a workflow uses.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allNodes } from '../dist/nodes/index.js';
import { workflowSchema } from '../dist/graph/schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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
const types = {};
for (const f of readdirSync(join(dist, 'nodes')).filter((f) => f.endsWith('.js') && f !== 'index.js').sort()) {
  const mod = await import(pathToFileURL(join(dist, 'nodes', f)).href);
  for (const v of Object.values(mod)) if (registered.has(v) && !(v.type in types)) types[v.type] = f;
}
const missing = nodes.filter((d) => !(d.type in types)).map((d) => d.type);
if (missing.length) console.warn(`manifest: ${missing.join(', ')} not exported from a dist/nodes file; those workflows load the whole catalogue`);
writeFileSync(join(dist, 'nodes', 'manifest.json'), JSON.stringify({ stamp: stamp.digest('hex'), types }, null, 1) + '\n');
console.log(`wrote dist/nodes/manifest.json (${Object.keys(types).length} node types)`);
