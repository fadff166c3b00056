// What a provenance node's result is made with, beyond its ancestors: the flow and Node
// versions and the project's git commit (its date, and whether tracked files differ from it).
// They go into ctx.provenance and so into the key of a provenance node (the report): nothing
// from the environment may change a result unless it is in the key (docs/engine.md). The
// report therefore re-renders after a commit or a Node upgrade (a few ms) and never shows a
// commit it was not rendered at. No run date: it would change the key on every run (the run
// journal, `flow log`, has each run's date). Read once per plan (watch builds a plan per cycle).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

let flowVersion: string | undefined;

/** `root`: the project root (a checkout only when it holds .git, as for the run journal) */
export function aboutOf(plan: { root: string }): About {
  const known = memo.get(plan);
  if (known) return known;
  if (flowVersion === undefined) {
    try { flowVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version; } catch { flowVersion = 'unknown'; }
  }
  const about: About = { flow: flowVersion, node: process.version };
  if (existsSync(join(plan.root, '.git'))) {
    const head = git(plan.root, ['log', '-1', '--format=%H %cI']);
    if (head && /^[0-9a-f]{40} /.test(head)) {
      about.commit = head.slice(0, 40);
      about.commitDate = head.slice(41);
      const status = git(plan.root, ['status', '--porcelain', '--untracked-files=no']);
      if (status !== undefined) about.dirty = status.length > 0;
    }
  }
  memo.set(plan, about);
  return about;
}
