// --out DIR: every output of every node that ran or hit, as DIR/<node>.<port>.csv|json;
// a report's files go to DIR/<node>/<file name>.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import type { Plan } from '../graph/plan.js';
import type { Store } from '../graph/store.js';
import { decode, exportText } from '../graph/codec.js';

export async function exportOutputs(plan: Plan, store: Store, keys: Map<string, string>, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const id of plan.order) {
    const key = keys.get(id);
    const rec = key && store.getRecord(key);
    if (!rec) continue;
    for (const [port, ref] of Object.entries(rec.outputs)) {
      const v = await decode(ref.type, store.getObject(ref.hash));
      const { ext, text } = await exportText(ref.type, v);
      writeFileSync(join(dir, `${id}.${port}.${ext}`), text);
      n++;
      if (ref.type === 'report') {
        const files = (v as { files?: Record<string, string> }).files ?? {};
        if (Object.keys(files).length) mkdirSync(join(dir, id), { recursive: true });
        for (const [name, content] of Object.entries(files)) { writeFileSync(join(dir, id, basename(name)), content); n++; }
      }
    }
  }
  return n;
}
