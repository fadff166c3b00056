// flow explain <wf> <node>: why the node ran last time and whether it would run now,
// following input changes upstream to the root cause.
import { FlowError } from '../errors.js';
import { openWorkflow, fmtMs, type WorkflowOpts } from './common.js';
import { assess } from '../graph/fingerprint.js';
import { selectNodes, ancestorsOf } from '../graph/scheduler.js';

export async function explainCommand(wf: string, node: string, o: WorkflowOpts & { json?: boolean }): Promise<void> {
  const { plan, store } = await openWorkflow(wf, o);
  const ids = selectNodes(plan, [node], 'explain');
  const a = assess(plan, store, await ancestorsOf(plan, ids));
  const out: string[] = [];
  const json: unknown[] = [];
  for (const id of ids) {
    const x = a.get(id)!;
    const n = plan.nodes.get(id)!;
    json.push({ node: id, fresh: x.fresh, key: x.key, why: x.fresh ? [] : x.why, roots: x.fresh ? [] : x.roots, last: x.last && { status: x.last.status, at: x.last.at, cutOff: x.last.status === 'hit' ? x.last.cutOff : undefined, lastRan: x.last.lastRan } });
    out.push(`${id} (${n.type} v${n.def.version}, code ${n.code.slice(0, 12)})`);
    if (x.fresh) out.push(`  now: fresh, a cache hit (key ${x.key.slice(0, 12)}, made by ${x.record.node} in ${x.record.workflow}, ran ${fmtMs(x.record.ms)})`);
    else {
      out.push(`  now: would run`);
      for (const r of x.why) out.push(`    because ${r.text}`);
      for (const r of x.roots) out.push(`    root cause: ${r}`);
      const unknownUp = x.why.filter((r) => r.cue === 'inputs' && /will change/.test(r.text));
      if (unknownUp.length) out.push(`    (if the upstream output comes out byte-identical, ${id} will be a hit: early cut-off)`);
    }
    const l = x.last;
    if (!l) out.push('  last run: none recorded for this workflow in this cache');
    else {
      out.push(`  last run (${l.at}): ${l.status}${l.status === 'hit' && !l.cutOff ? ' (nothing it depends on had changed)' : ''}`);
      if (l.status === 'hit' && l.cutOff) {
        out.push(`    early cut-off: ${l.cutOff.upstream.join(', ')} re-ran and produced byte-identical output`);
        for (const r of l.cutOff.roots) out.push(`    which was caused by: ${r}`);
      }
      const ran = l.lastRan;
      if (ran && l.status !== 'ran') out.push(`  last time it ran (${ran.at}):`);
      if (ran) {
        for (const r of ran.why) out.push(`    because ${r.text}`);
        for (const r of ran.roots) out.push(`    root cause: ${r}`);
      }
    }
  }
  if (!ids.size) throw new FlowError('validate', `no node ${node}`);
  process.stdout.write(o.json ? JSON.stringify(json.length === 1 ? json[0] : json, null, 2) + '\n' : out.join('\n') + '\n');
}
