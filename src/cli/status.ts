// flow status <wf>: each node fresh or stale, and why (without running anything). Like
// `make -q`: the exit code is 0 when everything is fresh and 1 when anything is stale, so a
// script can ask "is the paper up to date?"; --json prints one line per node and a summary.
import { openWorkflow, type WorkflowOpts } from './common.js';
import { assess } from '../graph/fingerprint.js';

export async function statusCommand(wf: string, o: WorkflowOpts & { json?: boolean }): Promise<void> {
  const { plan, store } = await openWorkflow(wf, o);
  const a = [...assess(plan, store).values()];
  const stale = a.filter((x) => !x.fresh).map((x) => x.id);
  if (stale.length) process.exitCode = 1;
  if (o.json) {
    for (const x of a) {
      process.stdout.write(JSON.stringify(x.fresh ? { node: x.id, status: 'fresh', key: x.key, why: [], cues: [], roots: [] }
        : { node: x.id, status: 'stale', key: x.key, why: x.why.map((r) => r.text), cues: x.why.map((r) => r.cue), roots: x.roots }) + '\n');
    }
    process.stdout.write(JSON.stringify({ summary: { workflow: plan.rel, sets: plan.sets, fresh: a.length - stale.length, stale } }) + '\n');
    return;
  }
  const width = Math.min(40, Math.max(...a.map((x) => x.id.length)));
  for (const x of a) {
    if (x.fresh) { process.stdout.write(`  fresh  ${x.id}\n`); continue; }
    process.stdout.write(`  stale  ${x.id.padEnd(width)}  ${x.why.map((r) => r.text).join('; ')}\n`);
    const own = x.why.every((r) => r.cue === 'inputs');
    if (own && x.roots.length) process.stdout.write(`         ${''.padEnd(width)}  root: ${x.roots.join(' | ')}\n`);
  }
  process.stdout.write(`${a.length - stale.length} fresh, ${stale.length} stale\n`);
}
