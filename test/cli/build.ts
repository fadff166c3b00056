// The CLI tests run the compiled CLI (node bin/flow.js). This builds dist/ once when the
// engine sources are newer than it (a directory lock keeps parallel test files from
// building twice). Usable as a vitest globalSetup too.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../graph/helpers.js';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = () => {
  const main = join(REPO, 'dist/cli/main.js');
  return !existsSync(main) || statSync(main).mtimeMs < Math.max(newest(join(REPO, 'src/graph')), newest(join(REPO, 'src/cli')));
};

export async function ensureBuilt(): Promise<void> {
  if (!stale()) return;
  const lock = join(REPO, 'dist', '.build-lock');
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  for (;;) {
    try { mkdirSync(lock); break; } catch { await new Promise((r) => setTimeout(r, 250)); if (!stale()) return; }
  }
  try {
    if (stale()) {
      // others' in-progress files may not type-check; tsc still emits, which is all we need
      try { execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.json')], { stdio: 'ignore' }); } catch { /* see above */ }
      try { execFileSync(process.execPath, [join(REPO, 'bin/gen-schema.js')], { stdio: 'ignore', cwd: REPO }); } catch { /* the CLI then loads the whole catalogue */ }
    }
  } finally { rmdirSync(lock); }
}

export default ensureBuilt;
