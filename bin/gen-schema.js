// Writes schema/workflow.schema.json from the node catalogue (run by `npm run build`, from dist/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allNodes } from '../dist/nodes/index.js';
import { workflowSchema } from '../dist/graph/schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'schema', 'workflow.schema.json');
mkdirSync(dirname(out), { recursive: true });
const nodes = allNodes();
writeFileSync(out, JSON.stringify(workflowSchema(nodes), null, 2) + '\n');
console.log(`wrote schema/workflow.schema.json (${nodes.length} node types)`);
