// flow run <wf>: validate, run, render; then write every output to the workflow's "out"
// folder (or --out DIR; --no-out: none), incrementally (see out.ts).
import { flowVersion, gitCommit, openWorkflow, type WorkflowOpts } from './common.js';
import { render } from './render.js';
import { printWarnings, warningsOf } from './warnings.js';
import { run } from '../graph/scheduler.js';
import { Observable } from 'rxjs/internal/Observable';
import { lease } from '../graph/lock.js';
import { outDirProblem, writableDir } from '../graph/paths.js';
import { FlowError } from '../errors.js';
import type { Plan } from '../graph/plan.js';
import type { RunEvent, Summary } from '../graph/events.js';
import type { Store } from '../graph/store.js';
import type { Executor, SharedCache } from '../graph/remote.js';
import { isRemoteUrl } from '../remote/backend.js';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `out`: a folder (--out DIR), false (--no-out), or undefined (the workflow's own "out"). */
export interface RunCmdOpts extends WorkflowOpts {
  only: string[]; force: string[]; out?: string | boolean; json?: boolean; jobs: number; workers?: number;
  /** on a TTY too, one line per node (hits included) */
  verbose?: boolean;
  /** embedded (default) or bullmq (needs --redis and a shared --cache) */
  executor?: string; redis?: string;
}

/** The folder outputs go to: --out DIR, else the workflow's "out"; none with --no-out. */
export const outDir = (plan: Plan, out: string | boolean | undefined): string | undefined =>
  out === false ? undefined : typeof out === 'string' ? out : plan.out;

export const coveredBy = (s: Summary) => [...s.ran, ...s.hit, ...s.failed, ...s.skipped];

export async function runCommand(wf: string, o: RunCmdOpts): Promise<void> {
  const executor = o.executor ?? 'embedded';
  if (executor !== 'embedded' && executor !== 'bullmq') throw new FlowError('validate', `--executor ${executor}: expected embedded or bullmq`);
  if (executor === 'bullmq' && !o.redis) throw new FlowError('validate', '--executor bullmq needs --redis redis://host:port');
  if (executor === 'bullmq' && !isRemoteUrl(o.cache)) throw new FlowError('validate', '--executor bullmq needs a shared cache that the workers reach: --cache s3://bucket/prefix?endpoint=… or --cache file:///shared/folder');
  if (o.redis && executor !== 'bullmq') throw new FlowError('validate', '--redis is for --executor bullmq');
  const { plan, store } = await openWorkflow(wf, o);
  // the shared cache and the queue: loaded only when asked for
  const remote = isRemoteUrl(o.cache)
    ? await (await import('../remote/open.js')).openRemote(o.cache, store, { warn: (m: string) => process.stderr.write(`warning: ${m}\n`) }) : undefined;
  const plugins = new Set(Object.keys(plan.plugins));
  const exec = executor === 'bullmq'
    ? await (await import('../remote/bullmq-executor.js')).openExecutor(o.redis!, remote!, store, { builtinTypes: new Set([...plan.nodes.values()].map((n) => n.type).filter((t) => !plugins.has(t))) }) : undefined;
  try {
    const summary = await runAndExport(plan, store, o, { remote, executor: exec });
    if (summary.failed.length) process.exitCode = 1;
  } finally {
    await exec?.close();
    await remote?.close();
  }
}

/** The out folder (outDir), checked and made before anything runs: a validate error (exit 2) when it cannot be used. */
function checkedOutDir(plan: Plan, store: Store, out: string | boolean | undefined): string | undefined {
  const dir = outDir(plan, out);
  if (!dir) return undefined;
  const what = typeof out === 'string' ? '--out' : 'out';
  const real = writableDir(dir, what);
  const bad = outDirProblem(real, store.dir, [...plan.nodes.values()].flatMap((n) => n.files.map((f) => f.abs)), plan.root);
  if (bad) throw new FlowError('validate', `${what} ${dir}: ${bad}`, { file: plan.file });
  return real;
}

/** Runs a plan and writes its outputs (flow run, flow watch, flow ui) under one lease on the cache, so
 * gc cannot remove a result between the run and the export; the out folder's lock is out.ts's.
 * `onEvent` sees every run event as it happens (flow ui forwards them to the page). */
export async function runAndExport(plan: Plan, store: Store, o: Partial<RunCmdOpts>, { onEvent, ...elsewhere }: { remote?: SharedCache; executor?: Executor; onEvent?: (e: RunEvent) => void } = {}): Promise<Summary> {
  const dir = checkedOutDir(plan, store, o.out);
  const drop = await lease(store.dir, plan.rel, { onWait: () => process.stderr.write('waiting for flow cache gc to finish\n') });
  try {
    const events = run(plan, { store, leased: true, only: o.only, force: o.force, concurrency: o.jobs, workers: o.workers, about: { flow: flowVersion(), commit: gitCommit(plan.root) }, ...elsewhere });
    const { summary, keys } = await render(onEvent ? tapped(events, onEvent) : events, { json: o.json, verbose: o.verbose });
    printWarnings(plan, warningsOf(plan, store, keys), (m) => process.stderr.write(m));
    if (dir) {
      const { exportOutputs, describeExport, fileBase } = await import('./out.js');
      const r = await exportOutputs(plan, store, keys, dir, coveredBy(summary), { onWait: () => process.stderr.write(`waiting for another flow run writing to ${dir}\n`) });
      if (!o.json) process.stdout.write(describeExport(r) + '\n' + afterExport(plan, summary, dir, fileBase).map((l) => l + '\n').join(''));
    }
    return summary;
  } finally { drop(); }
}

/**
 * The lines after the export's: where each report went (`report: out/paper/report/paper.html`)
 * and, after a failure, that the folder holds only what succeeded.
 */
export function afterExport(plan: Plan, s: Summary, dir: string, fileBase: (id: string) => string): string[] {
  const where = relative(process.cwd(), dir) || '.';
  const lines: string[] = [];
  const made = new Set([...s.ran, ...s.hit]);
  for (const n of plan.nodes.values()) {
    if (n.type !== 'report' || !made.has(n.id)) continue;
    const sub = join(dir, fileBase(n.id));
    let html: string | undefined;
    try { html = existsSync(sub) ? readdirSync(sub).find((f) => f.endsWith('.html')) : undefined; } catch { html = undefined; }
    if (html) lines.push(`report: ${join(relative(process.cwd(), sub) || '.', html)}`);
  }
  if (s.failed.length) {
    const ok = made.size;
    lines.push(`${s.failed.length} node${s.failed.length === 1 ? '' : 's'} failed${s.skipped.length ? ` and ${s.skipped.length} ${s.skipped.length === 1 ? 'was' : 'were'} skipped` : ''}: ${where} has only the outputs of the ${ok} that succeeded`);
  }
  return lines;
}
/** The same events, each shown to `f` first. */
const tapped = (events: Observable<RunEvent>, f: (e: RunEvent) => void) => new Observable<RunEvent>((sub) =>
  events.subscribe({ next: (e) => { try { f(e); } catch { /* an observer's problem is not the run's */ } sub.next(e); }, error: (e) => sub.error(e), complete: () => sub.complete() }));
