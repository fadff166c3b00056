// flow status <wf>: each node fresh or stale, and why (without running anything).
import { openWorkflow, type WorkflowOpts } from './common.js';
import { assess } from '../graph/status.js';

export async function statusCommand(wf: string, o: WorkflowOpts & { json?: boolean }): Promise<void> {
  const { plan, store } = await openWorkflow(wf, o);
  const a = assess(plan, store);
  if (o.json) {
    for (const x of a.values()) process.stdout.write(JSON.stringify({ node: x.id, status: x.fresh ? 'fresh' : 'stale', key: x.key, why: x.why.map((r) => r.text), roots: x.roots }) + '\n');
    return;
  }
  const width = Math.min(40, Math.max(...[...a.keys()].map((k) => k.length)));
  let stale = 0;
  for (const x of a.values()) {
    if (x.fresh) { process.stdout.write(`  fresh  ${x.id}\n`); continue; }
    stale++;
    process.stdout.write(`  stale  ${x.id.padEnd(width)}  ${x.why.map((r) => r.text).join('; ')}\n`);
    const own = x.why.every((r) => r.cue === 'inputs');
    if (own && x.roots.length) process.stdout.write(`         ${''.padEnd(width)}  root: ${x.roots.join(' | ')}\n`);
  }
  process.stdout.write(`${a.size - stale} fresh, ${stale} stale\n`);
}
