// flow watch <wf>: run, then wait for a change to the workflow chain or any file its
// nodes read; re-plan and run again (caching makes that re-run only what is affected).
import { watch as fsWatch, statSync } from 'node:fs';
import { defer, from, merge, fromEventPattern, debounceTime, take, tap, switchMap, repeat, catchError, of, Observable } from 'rxjs';
import { openWorkflow, reportError, type WorkflowOpts } from './common.js';
import { runAndExport } from './run.js';
import { projectRoot } from '../graph/load.js';
import { join, relative, resolve } from 'node:path';

/** The changed path: the file, or the file changed inside a watched folder. */
const watchFile = (f: string): Observable<string> => fromEventPattern<string>(
  (h) => { try { return fsWatch(f, { recursive: statSync(f).isDirectory() }, (_ev, name) => h(name ? join(f, String(name)) : f)); } catch { return undefined; } },
  (_h, w) => w?.close(),
);

/** Between two cycles: what changed (a line per file, at most 5) and a separator with the time. */
export function cycleHeader(changed: string[], columns = 80, now = new Date()): string {
  const rel = [...new Set(changed)].map((f) => relative(process.cwd(), f) || f);
  const lines = rel.slice(0, 5).map((f) => `changed: ${f}`);
  if (rel.length > 5) lines.push(`changed: ${rel.length - 5} more`);
  const stamp = ` ${now.toTimeString().slice(0, 8)} `;
  const w = Math.max(20, Math.min(columns - 1, 79));
  return [...lines, '-'.repeat(2) + stamp + '-'.repeat(Math.max(2, w - 2 - stamp.length))].join('\n') + '\n';
}

export async function watchCommand(wf: string, o: WorkflowOpts & { json?: boolean; out?: string | boolean; verbose?: boolean }): Promise<void> {
  const once = async (): Promise<string[]> => {
    try {
      const { plan, store } = await openWorkflow(wf, o);
      await runAndExport(plan, store, o);
      return plan.watch;
    } catch (e) {
      reportError(e);
      return [resolve(wf)]; // invalid workflow: wait for it to be fixed
    }
  };
  const cycle = defer(() => from(once())).pipe(
    switchMap((files) => {
      if (!o.json) process.stdout.write(`watching ${files.length} files under ${projectRoot(resolve(wf))} (Ctrl-C to stop)\n`);
      const seen: string[] = [];
      return merge(...files.map(watchFile)).pipe(tap((f) => seen.push(f)), debounceTime(150), take(1),
        tap(() => { if (!o.json) process.stdout.write(cycleHeader(seen, process.stdout.columns || 80)); }));
    }),
    repeat(),
    catchError((e) => { reportError(e); return of(null); }),
  );
  await new Promise<void>((res) => cycle.subscribe({ complete: res }));
}
