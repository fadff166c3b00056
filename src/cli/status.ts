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
  // nodes stale only through their inputs: their root causes once, after the list, with the nodes they reach
  const byRoots = new Map<string, string[]>();
  for (const x of a) {
    if (x.fresh) { process.stdout.write(`  fresh  ${x.id}\n`); continue; }
    process.stdout.write(`  stale  ${x.id.padEnd(width)}  ${x.why.map((r) => r.text).join('; ')}\n`);
    if (x.why.every((r) => r.cue === 'inputs') && x.roots.length) {
      const k = x.roots.join('\n');
      byRoots.set(k, [...(byRoots.get(k) ?? []), x.id]);
    }
  }
  process.stdout.write(`${a.length - stale.length} fresh, ${stale.length} stale\n`);
  for (const [k, ids] of byRoots) process.stdout.write(rootBlock(k.split('\n'), ids, process.stdout.columns || 80));
}

/** "root cause: ...", once, then the nodes it makes stale, wrapped to the width. */
export function rootBlock(roots: string[], ids: string[], columns = 80): string {
  const head = roots.length === 1 ? [`root cause: ${roots[0]}`] : ['root causes:', ...roots.map((r) => `  ${r}`)];
  const lead = `  makes ${ids.length} node${ids.length === 1 ? '' : 's'} stale: `;
  const lines: string[] = [];
  let cur = lead;
  for (const [i, id] of ids.entries()) {
    const word = id + (i < ids.length - 1 ? ',' : '');
    if (cur.length + word.length + 1 > Math.max(40, columns - 1) && cur.trim().length) { lines.push(cur.trimEnd()); cur = '    '; }
    cur += (cur.endsWith(' ') ? '' : ' ') + word;
  }
  lines.push(cur.trimEnd());
  return [...head, ...lines].join('\n') + '\n';
}
