// The CLI tests run the compiled CLI (node bin/flow.js). This builds dist/ (node bin/build.js:
// the esbuild bundle, the schema and dist/nodes/manifest.json, written last) once when a
// source is newer than it (a directory lock keeps parallel test files from building twice).
// No type check here: the bundle does not need one (npm run build does it). Usable as a
// vitest globalSetup too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../graph/helpers.js';
import { distIsStale } from '../../bin/dist-stale.js';

const stale = (): boolean => distIsStale(REPO);

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
