// flow run <wf>: validate, run, render; optionally export every output (--out).
import { openWorkflow, type WorkflowOpts } from './common.js';
import { render } from './render.js';
import { run } from '../graph/scheduler.js';
import { exportOutputs } from './out.js';

export interface RunCmdOpts extends WorkflowOpts { only: string[]; force: string[]; out?: string; json?: boolean; jobs: number; workers?: number }

export async function runCommand(wf: string, o: RunCmdOpts): Promise<void> {
  const { plan, store } = await openWorkflow(wf, o);
  const { summary, keys } = await render(run(plan, { store, only: o.only, force: o.force, concurrency: o.jobs, workers: o.workers }), { json: o.json });
  if (o.out) {
    const n = await exportOutputs(plan, store, keys, o.out);
    if (!o.json) process.stdout.write(`wrote ${n} files to ${o.out}\n`);
  }
  if (summary.failed.length) process.exitCode = 1;
}
