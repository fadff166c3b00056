// What a provenance node's result is made with, beyond its ancestors: the flow and Node
// versions and the project's git commit (its date, and whether tracked files differ from it).
// They go into ctx.provenance and so into the key of a provenance node (the report): nothing
// from the environment may change a result unless it is in the key (docs/engine.md). The
// report therefore re-renders after a commit or a Node upgrade (a few ms) and never shows a
// commit it was not rendered at. No run date: it would change the key on every run (the run
// journal, `flow log`, has each run's date). Read once per plan (watch builds a plan per cycle).
// gitCommit (below) is also the commit the run journal records: read from .git, no git process.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface About {
  flow: string;
  node: string;
  /** HEAD of the project's git checkout (none: not a checkout, or git missing) */
  commit?: string;
  /** the commit's committer date (ISO 8601) */
  commitDate?: string;
  /** tracked files differ from the commit (untracked files such as out/ do not count) */
  dirty?: boolean;
}

const memo = new WeakMap<object, About>();

const git = (cwd: string, args: string[]): string | undefined => {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { return undefined; }
};

let version: string | undefined;
/** flow's own version (package.json; 'unknown' when it cannot be read). */
export function flowVersion(): string {
  if (version === undefined) {
    try { version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version; } catch { version = 'unknown'; }
  }
  return version;
}

/** `root`: the project root (a checkout only when it holds .git, as for the run journal) */
export function aboutOf(plan: { root: string }): About {
  const known = memo.get(plan);
  if (known) return known;
  const about: About = { flow: flowVersion(), node: process.version };
  const commit = gitCommit(plan.root);
  if (commit) {
    about.commit = commit;
    // its date and the dirty flag need git itself (the index, the objects)
    const date = git(plan.root, ['log', '-1', '--format=%cI', commit]);
    if (date) about.commitDate = date;
    const status = git(plan.root, ['status', '--porcelain', '--untracked-files=no']);
    if (status !== undefined) about.dirty = status.length > 0;
  }
  memo.set(plan, about);
  return about;
}

/**
 * The git commit checked out in dir (the project root), read from .git without running git
 * (a few small reads; a worktree's .git file and packed refs are followed); undefined if none.
 */
export function gitCommit(dir: string): string | undefined {
  try {
    let git = join(dir, '.git');
    const text = readFileSync(git, 'utf8'); // a worktree: "gitdir: <path>"
    git = resolve(dir, text.replace(/^gitdir:\s*/, '').trim());
    return headOf(git);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') { try { return headOf(join(dir, '.git')); } catch { return undefined; } }
    return undefined;
  }
}

function headOf(git: string): string | undefined {
  const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
  if (/^[0-9a-f]{40}$/.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return undefined;
  let common = git;
  try { common = resolve(git, readFileSync(join(git, 'commondir'), 'utf8').trim()); } catch { /* not a worktree */ }
  for (const d of [git, common]) { try { return readFileSync(join(d, ref), 'utf8').trim(); } catch { /* packed */ } }
  try { return readFileSync(join(common, 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`))?.slice(0, 40); } catch { return undefined; }
}
