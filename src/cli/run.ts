// flow run <wf>: validate, run, render; then write every output to the workflow's "out"
// folder (or --out DIR; --no-out: none), incrementally (see out.ts).
import { flowVersion, gitCommit, openWorkflow, type WorkflowOpts } from './common.js';
import { render } from './render.js';
import { printWarnings, warningsOf } from './warnings.js';
import { run } from '../graph/scheduler.js';
import type { Plan } from '../graph/plan.js';
import type { Summary } from '../graph/events.js';

/** `out`: a folder (--out DIR), false (--no-out), or undefined (the workflow's own "out"). */
export interface RunCmdOpts extends WorkflowOpts { only: string[]; force: string[]; out?: string | boolean; json?: boolean; jobs: number; workers?: number }

/** The folder outputs go to: --out DIR, else the workflow's "out"; none with --no-out. */
export const outDir = (plan: Plan, out: string | boolean | undefined): string | undefined =>
  out === false ? undefined : typeof out === 'string' ? out : plan.out;

export const coveredBy = (s: Summary) => [...s.ran, ...s.hit, ...s.failed, ...s.skipped];

export async function runCommand(wf: string, o: RunCmdOpts): Promise<void> {
  const { plan, store } = await openWorkflow(wf, o);
  const { summary, keys } = await render(run(plan, { store, only: o.only, force: o.force, concurrency: o.jobs, workers: o.workers, about: { flow: flowVersion(), commit: gitCommit(plan.root) } }), { json: o.json });
  printWarnings(plan, warningsOf(plan, store, keys), (s) => process.stderr.write(s));
  const dir = outDir(plan, o.out);
  if (dir) {
    const { exportOutputs, describeExport } = await import('./out.js');
    const r = await exportOutputs(plan, store, keys, dir, coveredBy(summary));
    if (!o.json) process.stdout.write(describeExport(r) + '\n');
  }
  if (summary.failed.length) process.exitCode = 1;
}
