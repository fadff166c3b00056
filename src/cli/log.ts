// flow log [wf] [--json]: the run journal (graph/journal.ts), newest last: when, which
// workflow with which --set overrides, flow version and commit, what ran / hit / failed.
import { resolve, relative } from 'node:path';
import { openStore, fmtMs } from './common.js';
import { projectRoot } from '../graph/load.js';
import { readJournal } from '../graph/journal.js';
import { showSets } from './cache.js';

export async function logCommand(wf: string | undefined, o: { cache?: string; json?: boolean; last?: string }): Promise<void> {
  const root = wf ? projectRoot(resolve(wf)) : undefined;
  const store = openStore(o.cache, root);
  const rel = wf ? relative(root!, resolve(wf)) : undefined;
  let runs = (await readJournal(store.dir)).filter((r) => !rel || r.workflow === rel);
  const last = o.last === undefined ? Infinity : Math.max(1, parseInt(o.last, 10) || 1);
  if (runs.length > last) runs = runs.slice(runs.length - last);
  if (o.json) {
    for (const r of runs) process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  if (!runs.length) { process.stdout.write(`no runs recorded${rel ? ` for ${rel}` : ''} in ${store.dir}\n`); return; }
  for (const r of runs) {
    const counts = [`ran ${r.ran.length}`, `hit ${r.hit.length}`, ...(r.failed.length ? [`failed ${r.failed.length}`] : []), ...(r.skipped.length ? [`skipped ${r.skipped.length}`] : [])].join(', ');
    const sets = showSets(r.sets);
    process.stdout.write(`${r.at}  ${r.workflow}${sets ? ' ' + sets : ''}  ${counts} in ${fmtMs(r.ms)}  (flow ${r.flow}${r.commit ? `, commit ${r.commit.slice(0, 10)}` : ''})\n`);
    if (r.failed.length) process.stdout.write(`    failed: ${r.failed.join(', ')}\n`);
  }
}
