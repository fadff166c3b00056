// Honest builds, through the real build and the CLI, in a copy of the project: `flow` never
// runs a dist/ that was not built from the sources that are there (a missing build or an edit
// without a rebuild is one line saying what to do), a failed build fails the tests that need
// it, and a kernel edit, once rebuilt, re-runs exactly the nodes whose code changed, with
// status and explain naming it, while a comment-only edit re-runs nothing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, jsonLines } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';

let dir = '';
const flowIn = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(dir, 'bin/flow.js'), ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const PIM = () => join(dir, 'src/econ/measure/pim.ts');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flow-build-'));
  for (const p of ['src', 'bin', 'package.json', 'package-lock.json', 'workflows/paper.json', 'data/yrd26']) cpSync(join(REPO, p), join(dir, p), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('flow and its build', () => {
  it('says in one line that flow is not built when dist/ is missing', () => {
    const r = flowIn(['--version']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`flow: flow is not built (dist/ is missing): run \`npm run build\` in ${join(dir, 'bin/..')}\n`);
  });

  it('runs after the build, refuses an edited src/ until it is rebuilt, and re-runs what the edit changed', async () => {
    await ensureBuilt(dir);
    const cold = flowIn(['run', 'workflows/paper.json', '--json']);
    expect(cold.code, cold.stderr).toBe(0);
    const coldLines = jsonLines(cold.stdout);
    const coldSummary = coldLines.at(-1).summary;
    // a fresh cache: every node of the workflow ran, nothing hit, failed or was skipped
    expect(coldSummary.ran).toEqual(coldLines.filter((l) => l.node).map((l) => l.node));
    expect(coldSummary.ran.length).toBeGreaterThan(30);
    expect([coldSummary.hit, coldSummary.failed, coldSummary.skipped]).toEqual([[], [], []]);
    const table2 = readFileSync(join(dir, 'out/paper/table2/table2.md'), 'utf8');
    expect(flowIn(['status', 'workflows/paper.json']).code).toBe(0);

    // a touched file is not a change (the check is on content)
    const later = new Date(Date.now() + 5000);
    utimesSync(PIM(), later, later);
    expect(flowIn(['--version']).code).toBe(0);

    // a behaviour change of the perpetual inventory kernel, not rebuilt: flow refuses
    const original = readFileSync(PIM(), 'utf8');
    const edited = original.replace(/(export function pimStock\([^\n]*\{\n)/, '$1  o = { ...o, delta: o.delta * 1.5 };\n');
    expect(edited).not.toBe(original);
    writeFileSync(PIM(), edited);
    const refused = flowIn(['run', 'workflows/paper.json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('flow: dist/ was built from other sources (src/econ/measure/pim.ts changed since): run `npm run build`\n');
    expect(refused.stdout).toBe('');

    // rebuilt: status names the code change (and exits 1), explain follows it to the root
    await ensureBuilt(dir);
    const st = flowIn(['status', 'workflows/paper.json', '--json']);
    expect(st.code).toBe(1);
    const rows = Object.fromEntries(jsonLines(st.stdout).filter((r) => r.node).map((r) => [r.node, r]));
    expect(rows.stock.why).toEqual(['code of node type pim changed']);
    expect(rows.stock.cues).toEqual(['code']);
    expect(rows.real.status).toBe('fresh'); // the deflate node, upstream of pim
    expect(flowIn(['explain', 'workflows/paper.json', 'fe_ris']).stdout).toContain('root cause: code of node type pim changed node stock');

    const after = flowIn(['run', 'workflows/paper.json', '--json']);
    expect(after.code, after.stderr).toBe(0);
    const ran = jsonLines(after.stdout).at(-1).summary.ran as string[];
    expect(ran).toContain('stock');
    expect(ran).toContain('fe_ris');
    expect(ran).not.toContain('real'); // upstream of the kernel: a hit
    expect(ran.find((id) => id.startsWith('load') || id === 'raw')).toBeUndefined();
    expect(readFileSync(join(dir, 'out/paper/table2/table2.md'), 'utf8')).not.toBe(table2); // the tables follow the new code

    // a comment-only edit, rebuilt: nothing runs
    writeFileSync(PIM(), edited.replace('export function pimStock(', '// a comment, nothing else\nexport function pimStock('));
    await ensureBuilt(dir);
    const again = flowIn(['run', 'workflows/paper.json', '--json']);
    expect(jsonLines(again.stdout).at(-1).summary.ran).toEqual([]);
  }, 240_000);

  it('a build that fails fails the tests that need it, and flow keeps refusing', async () => {
    const f = join(dir, 'src/cli/graph.ts');
    const text = readFileSync(f, 'utf8');
    writeFileSync(f, text + '\nexport const broken = ;\n');
    try {
      await expect(ensureBuilt(dir)).rejects.toThrow(/npm run build failed[\s\S]*graph\.ts/);
      const r = flowIn(['--version']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('src/cli/graph.ts changed since');
    } finally { writeFileSync(f, text); }
    await ensureBuilt(dir);
    expect(flowIn(['--version']).code).toBe(0);
  }, 120_000);
});
