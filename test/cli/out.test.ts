// The workflow's default output folder ("out"), --out / --no-out, and incremental writing
// (the manifest DIR/.flow-out.json: unchanged outputs are not rewritten; outputs the
// workflow no longer produces are removed), through the compiled CLI.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { project, flow, jsonLines } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';

beforeAll(() => ensureBuilt(), 180_000);

const MANIFEST = '.flow-out.json';
const base = {
  plugins: ['../nodes.js'],
  out: '../out/main',
  params: { delta: 0.09 },
  nodes: {
    a: { uses: 't-const', with: { value: 100 } },
    pim: { uses: 't-scale', with: { delta: '$delta' }, in: { x: 'a.out' } },
    m: { uses: 't-model', in: { x: 'pim.out' } },
    tab: { uses: 't-table', with: { n: 3 } },
    rep: { uses: 't-report', with: { files: { 'rep.md': 'hello', 'rep.html': '<p>hello</p>' } }, in: { x: 'pim.out' } },
  },
};
const FILES = ['a.out.json', 'm.model.json', 'pim.out.json', 'rep.report.json', 'rep/rep.html', 'rep/rep.md', 'tab.table.csv'];

/** Every file under dir (relative, sorted), the manifest included. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : out.push(relative(dir, join(d, e.name))); };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}
const mtimes = (dir: string) => Object.fromEntries(files(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
const ok = (r: { code: number | null; stderr: string }) => { expect(r.code, r.stderr).toBe(0); return r; };

describe('the default output folder', () => {
  it('writes every output to the workflow\'s "out" (relative to the workflow file), with a manifest', () => {
    const dir = project({ 'wf/main.json': base });
    const r = ok(flow(['run', 'wf/main.json'], dir));
    const out = join(dir, 'out/main');
    expect(files(out)).toEqual([MANIFEST, ...FILES].sort());
    expect(r.stdout).toContain(`wrote ${FILES.length} files to out/main`);
    expect(readFileSync(join(out, 'rep/rep.md'), 'utf8')).toBe('hello 9');
    expect(JSON.parse(readFileSync(join(out, 'm.model.json'), 'utf8')).coefficients[0].estimate).toBe(9);
    const m = JSON.parse(readFileSync(join(out, MANIFEST), 'utf8'));
    expect(m.workflow).toBe('wf/main.json');
    expect(m.version).toBe(2);
    // each file with its size, mtime and the sha256 of its content
    const entry = (rel: string) => ({ size: statSync(join(out, rel)).size, mtimeMs: statSync(join(out, rel)).mtimeMs, sha256: createHash('sha256').update(readFileSync(join(out, rel))).digest('hex') });
    expect(m.outputs['rep.report'].files).toEqual({ 'rep.report.json': entry('rep.report.json'), 'rep/rep.html': entry('rep/rep.html'), 'rep/rep.md': entry('rep/rep.md') });
    expect(m.outputs['rep.report'].files['rep/rep.md'].size).toBe(7);
    expect(existsSync(join(out, '.flow-out.incomplete'))).toBe(false);
  });

  it('writes nothing on a warm run: every file and the manifest keep their mtimes', async () => {
    const dir = project({ 'wf/main.json': base });
    ok(flow(['run', 'wf/main.json'], dir));
    const out = join(dir, 'out/main');
    const before = mtimes(out);
    const manifest = readFileSync(join(out, MANIFEST), 'utf8');
    await new Promise((r) => setTimeout(r, 30)); // a rewrite would show in the mtimes
    const r = ok(flow(['run', 'wf/main.json'], dir));
    expect(r.stdout).toContain(`out/main: ${FILES.length} files up to date`);
    expect(mtimes(out)).toEqual(before);
    expect(readFileSync(join(out, MANIFEST), 'utf8')).toBe(manifest);
    expect(readdirSync(out).filter((f) => f.startsWith('.flow-tmp'))).toEqual([]);
  });

  it('rewrites only what changed, restores a deleted or edited file, removes what is no longer produced', async () => {
    const dir = project({ 'wf/main.json': base });
    ok(flow(['run', 'wf/main.json'], dir));
    const out = join(dir, 'out/main');
    const before = mtimes(out);
    await new Promise((r) => setTimeout(r, 30));
    unlinkSync(join(out, 'rep/rep.md'));
    writeFileSync(join(out, 'tab.table.csv'), 'edited by hand\n');
    // pim changes (so m and rep do); tab is removed from the workflow; a is unchanged
    writeFileSync(join(dir, 'wf/main.json'), JSON.stringify({ ...base, params: { delta: 0.5 }, nodes: { ...base.nodes, tab: null } }));
    const r = ok(flow(['run', 'wf/main.json'], dir));
    expect(files(out)).toEqual([MANIFEST, ...FILES.filter((f) => f !== 'tab.table.csv')].sort());
    expect(readFileSync(join(out, 'rep/rep.md'), 'utf8')).toBe('hello 50');
    expect(statSync(join(out, 'a.out.json')).mtimeMs).toBe(before['a.out.json']);
    expect(r.stdout).toMatch(/removed 1 no longer produced/);
    // the hand-edited file of an unchanged output is rewritten (its size no longer matches)
    writeFileSync(join(dir, 'wf/main.json'), JSON.stringify(base));
    ok(flow(['run', 'wf/main.json'], dir));
    writeFileSync(join(out, 'tab.table.csv'), 'x\n');
    ok(flow(['run', 'wf/main.json'], dir));
    expect(readFileSync(join(out, 'tab.table.csv'), 'utf8')).toBe('id,x,y\nu0,0,0\nu1,1,NaN\nu2,2,\n');
  });

  it('removes the files of a node that failed, keeps those of nodes --only did not cover, never touches other files', () => {
    const dir = project({ 'wf/main.json': base });
    ok(flow(['run', 'wf/main.json'], dir));
    const out = join(dir, 'out/main');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    ok(flow(['run', 'wf/main.json', '--only', 'a', '--set', 'delta=0.5'], dir));
    expect(files(out)).toEqual([MANIFEST, ...FILES, 'notes.txt'].sort());
    writeFileSync(join(dir, 'wf/main.json'), JSON.stringify({ ...base, nodes: { ...base.nodes, m: { uses: 't-fail', with: { message: 'boom' }, in: { x: 'pim.out' } } } }));
    expect(flow(['run', 'wf/main.json'], dir).code).toBe(1);
    expect(files(out)).toEqual([MANIFEST, ...FILES.filter((f) => f !== 'm.model.json'), 'notes.txt'].sort());
  });

  it('--out DIR overrides it; --no-out writes nothing', () => {
    const dir = project({ 'wf/main.json': base });
    ok(flow(['run', 'wf/main.json', '--no-out'], dir));
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const r = ok(flow(['run', 'wf/main.json', '--out', 'elsewhere', '--json'], dir));
    expect(jsonLines(r.stdout).at(-1).summary.hit).toHaveLength(5); // the summary stays the last line
    expect(files(join(dir, 'elsewhere'))).toEqual([MANIFEST, ...FILES].sort());
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a branch without "out" writes beside its base\'s folder, under its own file name', () => {
    const dir = project({
      'wf/main.json': base,
      'wf/robust.json': { extends: 'main.json', params: { delta: 0.5 } },
      'wf/own.json': { extends: 'main.json', out: '../results/own' },
      'wf/none.json': { extends: 'main.json', out: null },
    });
    ok(flow(['run', 'wf/robust.json'], dir));
    expect(existsSync(join(dir, 'out/main'))).toBe(false);
    expect(readFileSync(join(dir, 'out/robust/rep/rep.md'), 'utf8')).toBe('hello 50');
    ok(flow(['run', 'wf/own.json'], dir));
    expect(files(join(dir, 'results/own'))).toEqual([MANIFEST, ...FILES].sort());
    const r = ok(flow(['run', 'wf/none.json'], dir));
    expect(r.stdout).not.toContain('wrote');
    expect(readdirSync(dir).sort()).toEqual(['cache', 'node_modules', 'nodes.js', 'out', 'package.json', 'results', 'wf']);
  });

  it('rejects an "out" outside the project, the project root itself, or a branch defaulting onto its base\'s folder', () => {
    const dir = project({
      'wf/outside.json': { ...base, out: '../../elsewhere' },
      'wf/abs.json': { ...base, out: '/tmp/flow-out' },
      'wf/root.json': { ...base, out: '..' },
      'wf/bad.json': { ...base, out: 3 },
      'wf/sub/main.json': { extends: '../main.json' },
      'wf/main.json': { ...base, out: '../out/main' },
    });
    const outside = flow(['run', 'wf/outside.json'], dir);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('wf/outside.json: out: ../../elsewhere leaves the project tree');
    expect(flow(['run', 'wf/abs.json'], dir).stderr).toContain('wf/abs.json: out: /tmp/flow-out leaves the project tree');
    expect(flow(['run', 'wf/root.json'], dir).stderr).toContain('wf/root.json: out: .. is the project root');
    expect(flow(['run', 'wf/bad.json'], dir).stderr).toContain('wf/bad.json: out: expected a folder path relative to this file');
    const twin = flow(['run', 'wf/sub/main.json'], dir);
    expect(twin.code).toBe(2);
    expect(twin.stderr).toContain('wf/sub/main.json: out: would default to ../../out/main, the output folder of its base ../main.json; set "out"');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
