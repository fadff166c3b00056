// What rendered a report: date, flow and Node versions, git commit and dirty flag. Read when
// the report node runs, and deliberately not part of its cache key: in the key, the date
// would make the report re-run on every run, and the commit on every commit that changes no
// result. So they describe the rendering, and the report says so: a later run that hits shows
// this same stamp (`flow log` records every run with its flow version and commit). Run status
// and per-node runtimes are left out for the same reason (they are not in any key: a stale
// ran / hit or time would be shown by every hit). `flow verify --recompute` skips provenance
// nodes, so the stamp does not count as non-determinism there.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RenderStamp { date: string; flow: string; node: string; commit?: string; dirty?: boolean }

const git = (cwd: string, args: string[]): string | undefined => {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { return undefined; }
};

/** `dir`: a directory inside the project (the workflow's); no git or no repository: no commit */
export function renderStamp(dir: string, now = new Date()): RenderStamp {
  let flow = 'unknown';
  try { flow = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version; } catch { /* not found */ }
  const commit = git(dir, ['rev-parse', 'HEAD']);
  // tracked files only: untracked files (out/, scratch) do not make the checkout differ from the commit
  const status = commit ? git(dir, ['status', '--porcelain', '--untracked-files=no']) : undefined;
  return { date: now.toISOString(), flow, node: process.version, ...(commit ? { commit } : {}), ...(status !== undefined ? { dirty: status.length > 0 } : {}) };
}
