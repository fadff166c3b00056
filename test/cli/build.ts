// The CLI tests run the compiled CLI (node bin/flow.js), which refuses a dist/ built from other
// sources (bin/dist-stale.js). This builds dist/ (node bin/build.js: the esbuild bundle, the
// schema and dist/nodes/manifest.json, written last) once when it is stale (a directory lock
// keeps parallel test files from building twice). A failed build fails the tests that need it,
// with esbuild's errors. No type check here (npm test runs tsc first). Usable as a vitest
// globalSetup too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../graph/helpers.js';
import { distIsStale } from '../../bin/dist-stale.js';

/** Builds root's dist/ when it is stale; throws with the build's output when the build fails. */
export async function ensureBuilt(root: string = REPO): Promise<void> {
  const stale = (): boolean => distIsStale(root);
  if (!stale()) return;
  const lock = join(root, 'dist', '.build-lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (;;) {
    try { mkdirSync(lock); break; } catch { await new Promise((r) => setTimeout(r, 250)); if (!stale()) return; }
  }
  try {
    if (stale()) {
      const r = spawnSync(process.execPath, [join(root, 'bin/build.js')], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal}); the CLI tests need a build of the current sources:\n${r.stdout}\n${r.stderr}`);
    }
  } finally { rmdirSync(lock); }
}

export default () => ensureBuilt();
