// Whether dist/ was built from the sources that are here now. `npm run build` records in
// dist/nodes/manifest.json (written last) the size, mtime and sha256 of every file it is built
// from (src/, the build scripts, package.json and its lock); a file whose size and mtime still
// match is taken as unchanged (a stat, no read), any other is hashed and compared, so a
// `touch` or a checkout back and forth is not a change and an edit always is.
// Used by bin/flow.js (before it loads dist/), the build (`--if-stale`), the CLI tests and
// the benchmark runner. Plain JS: it runs before anything is built.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST = 'dist/nodes/manifest.json';
const TOP = ['bin/build.js', 'bin/gen-schema.js', 'bin/bundle-options.js', 'package.json', 'package-lock.json'];

/** Project-relative paths of what dist/ is built from (sorted). */
export function sourceFiles(root) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p); else if (e.isFile()) out.push(p);
    }
  };
  if (existsSync(join(root, 'src'))) walk('src');
  for (const f of TOP) if (existsSync(join(root, f))) out.push(f);
  return out.sort();
}

const sha = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** path -> { size, mtimeMs, sha256 }: recorded by the build. */
export function sourceStamp(root) {
  return Object.fromEntries(sourceFiles(root).map((f) => {
    const st = statSync(join(root, f));
    return [f, { size: st.size, mtimeMs: st.mtimeMs, sha256: sha(join(root, f)) }];
  }));
}

/**
 * { state: 'missing' } (no build), { state: 'stale', changed: [paths] } or { state: 'fresh' }.
 * A project without src/ (an installed copy) is fresh when its dist/ exists.
 */
export function distState(root) {
  let m;
  try { m = JSON.parse(readFileSync(join(root, MANIFEST), 'utf8')); } catch { return { state: 'missing' }; }
  if (!existsSync(join(root, 'src'))) return { state: 'fresh' };
  const recorded = m.sources ?? {};
  const changed = [];
  const now = sourceFiles(root);
  for (const f of now) {
    const r = recorded[f];
    if (!r) { changed.push(f); continue; }
    const st = statSync(join(root, f));
    if (st.size === r.size && st.mtimeMs === r.mtimeMs) continue;
    if (st.size !== r.size || sha(join(root, f)) !== r.sha256) changed.push(f);
  }
  const here = new Set(now);
  for (const f of Object.keys(recorded)) if (!here.has(f)) changed.push(f);
  return changed.length ? { state: 'stale', changed: changed.sort() } : { state: 'fresh' };
}

/** True when dist/ is missing or was built from other sources. */
export function distIsStale(root) {
  return distState(root).state !== 'fresh';
}

/** The one line `flow` prints when it will not run dist/ (undefined when dist/ is fresh). */
export function distProblem(root) {
  const s = distState(root);
  if (s.state === 'missing') return 'flow is not built (dist/ is missing): run `npm run build` in ' + root;
  if (s.state === 'stale') {
    const shown = s.changed.slice(0, 3).join(', ') + (s.changed.length > 3 ? ` and ${s.changed.length - 3} more` : '');
    return `dist/ was built from other sources (${shown} changed since): run \`npm run build\``;
  }
  return undefined;
}
