// flow watch <wf>: run, then wait for a change to the workflow chain or any file its
// nodes read; re-plan and run again (caching makes that re-run only what is affected).
import { watch as fsWatch, statSync } from 'node:fs';
import { defer, from, merge, fromEventPattern, debounceTime, take, switchMap, repeat, catchError, of, Observable } from 'rxjs';
import { openWorkflow, reportError, type WorkflowOpts } from './common.js';
import { runAndExport } from './run.js';
import { projectRoot } from '../graph/load.js';
import { resolve } from 'node:path';

const watchFile = (f: string): Observable<unknown> => fromEventPattern(
  (h) => { try { return fsWatch(f, { recursive: statSync(f).isDirectory() }, h); } catch { return undefined; } },
  (_h, w) => w?.close(),
);

export async function watchCommand(wf: string, o: WorkflowOpts & { json?: boolean; out?: string | boolean }): Promise<void> {
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
      return merge(...files.map(watchFile)).pipe(debounceTime(150), take(1));
    }),
    repeat(),
    catchError((e) => { reportError(e); return of(null); }),
  );
  await new Promise<void>((res) => cycle.subscribe({ complete: res }));
}
