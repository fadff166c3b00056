// The CLI tests run the compiled CLI (node bin/flow.js). This builds dist/ (node bin/build.js:
// the esbuild bundle, the schema and dist/nodes/manifest.json, written last) once when a
// source is newer than it (a directory lock keeps parallel test files from building twice).
// No type check here: the bundle does not need one (npm run build does it). Usable as a
// vitest globalSetup too.
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
  const built = join(REPO, 'dist/nodes/manifest.json');
  return !existsSync(built) || statSync(built).mtimeMs < Math.max(newest(join(REPO, 'src')), statSync(join(REPO, 'bin/build.js')).mtimeMs, statSync(join(REPO, 'bin/gen-schema.js')).mtimeMs);
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
      // a failed bundle (a syntax error in a file being edited) leaves the previous dist/
      try { execFileSync(process.execPath, [join(REPO, 'bin/build.js')], { stdio: 'ignore', cwd: REPO }); } catch { /* see above */ }
    }
  } finally { rmdirSync(lock); }
}

export default ensureBuilt;
