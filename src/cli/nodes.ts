// flow nodes [type]: the live node catalogue, from the same schemas that validate workflows.
import { z } from 'zod';
import { FlowError } from '../errors.js';
import { catalog } from './common.js';
import { describe } from '../graph/paramerr.js';
import { didYouMean } from '../graph/load.js';
import type { NodeDef } from '../graph/node.js';

function paramsOf(def: NodeDef<any>) {
  let js: any = {};
  try { js = z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }); } catch { /* shown as untyped */ }
  const req = new Set<string>(js.required ?? []);
  return Object.entries<any>(js.properties ?? {}).map(([name, s]) => ({
    name, type: describe(s), required: req.has(name) && s.default === undefined,
    ...(s.default !== undefined ? { default: s.default } : {}), description: s.description ?? '',
  }));
}

export async function nodesCommand(type: string | undefined, o: { json?: boolean }): Promise<void> {
  const cat = await catalog();
  let defs = cat.all();
  if (type) {
    const d = cat.get(type);
    if (!d) throw new FlowError('validate', `unknown node type "${type}"${didYouMean(type, defs.map((x) => x.type))}`);
    defs = [d];
  }
  const rows = defs.map((d) => ({
    type: d.type, version: d.version, description: d.description,
    inputs: Object.fromEntries(Object.entries(d.inputs).map(([k, s]) => [k, { type: s.type, many: !!s.many, optional: !!s.optional, description: s.description ?? '' }])),
    outputs: Object.fromEntries(Object.entries(d.outputs).map(([k, s]) => [k, { type: s.type, description: s.description ?? '' }])),
    params: paramsOf(d),
  }));
  if (o.json) { process.stdout.write(JSON.stringify(rows, null, 2) + '\n'); return; }
  if (!rows.length) { process.stdout.write('no node types registered\n'); return; }
  const out: string[] = [];
  for (const r of rows) {
    out.push(`${r.type} (v${r.version})  ${r.description}`);
    for (const [k, s] of Object.entries(r.inputs)) out.push(`  in   ${k}: ${[s.type].flat().join(' | ')}${s.many ? ' (many)' : ''}${s.optional ? ' (optional)' : ''}${s.description ? '  ' + s.description : ''}`);
    for (const [k, s] of Object.entries(r.outputs)) out.push(`  out  ${k}: ${s.type}${s.description ? '  ' + s.description : ''}`);
    for (const p of r.params) out.push(`  with ${p.name}: ${p.type}${p.required ? ' (required)' : ''}${'default' in p ? ` = ${JSON.stringify(p.default)}` : ''}${p.description ? '  ' + p.description : ''}`);
    out.push('');
  }
  process.stdout.write(out.join('\n'));
}
