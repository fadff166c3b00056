// One cache with workflows/paper.json and workflows/robust-delta.json run on it, shared by the
// CLI tests of flow diff and flow read (a directory lock keeps two test files from making it at
// once; a cold paper.json run takes a few seconds). The commands run in the repository itself
// (cwd REPO, --cache this dir): neither diff nor read writes an out folder.
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, flow } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';

export const PAPER_CACHE = join(tmpdir(), 'flow-test-paper-cache');

export async function paperCache(): Promise<string> {
  await ensureBuilt();
  const lock = `${PAPER_CACHE}.lock`;
  for (;;) {
    try { mkdirSync(lock); break; } catch {
      // a lock left by a killed test run
      try { if (Date.now() - statSync(lock).mtimeMs > 180_000) rmdirSync(lock); } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    for (const wf of ['workflows/paper.json', 'workflows/robust-delta.json']) {
      const r = flow(['run', wf, '--no-out', '--cache', PAPER_CACHE], REPO);
      if (r.code !== 0) throw new Error(`flow run ${wf} failed:\n${r.stdout}\n${r.stderr}`);
    }
  } finally { rmdirSync(lock); }
  return PAPER_CACHE;
}
