// Whether dist/ is older than what it is built from (src/ and the build scripts).
// dist/nodes/manifest.json is written last by the build, so its mtime stamps the build.
// Shared by the CLI tests (test/cli/build.ts) and the benchmark runner (bench/run.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function distIsStale(repo) {
  const built = join(repo, 'dist/nodes/manifest.json');
  if (!existsSync(built)) return true;
  const sources = Math.max(newest(join(repo, 'src')), statSync(join(repo, 'bin/build.js')).mtimeMs, statSync(join(repo, 'bin/gen-schema.js')).mtimeMs);
  return statSync(built).mtimeMs < sources;
}
