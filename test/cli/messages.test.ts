// The messages a new user met (issue 11), each with its exact new text, on a copy of the
// paper's project (workflows/ and data/yrd26) run through the compiled CLI.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flow, jsonLines, REPO } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';
import { cycleHeader } from '../../src/cli/watch.js';
import { rootBlock } from '../../src/cli/status.js';
import { lsTable, lsFilter } from '../../src/cli/cache.js';

let dir = '';
const run = (args: string[]) => flow(args, dir);

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'flow-msg-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  cpSync(join(REPO, 'data/yrd26'), join(dir, 'data/yrd26'), { recursive: true });
  for (const f of readdirSync(join(REPO, 'workflows')).filter((f) => f.endsWith('.json'))) cpSync(join(REPO, 'workflows', f), join(dir, 'workflows', f));
  const controls = ['lnTrainfa', 'lnHumcapital', 'lnSConsume', 'Govexp', 'lnFD'];
  writeFileSync(join(dir, 'workflows/typo.json'), JSON.stringify({ extends: 'paper.json', out: '../out/typo', params: { controls } }));
  mkdirSync(join(dir, 'workflows/mine'));
  mkdirSync(join(dir, 'data/mydata'));
  writeFileSync(join(dir, 'workflows/mine/mydata.json'), JSON.stringify({ extends: '../paper.json', params: { dataDir: '../../data/mydata' } }));
  const r = run(['run', 'workflows/paper.json', '--json', '--no-out']);
  if (r.code !== 0) throw new Error(r.stderr);
}, 180_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('messages a new user met', () => {
  it('a column typo in a branch: one short line with "did you mean", blamed on the branch; the others "the same error"; the last line says what was written', () => {
    const r = run(['run', 'workflows/typo.json']);
    expect(r.code).toBe(1);
    const failed = r.stdout.split('\n').filter((l) => l.startsWith('  FAILED'));
    expect(failed[0]).toBe('  FAILED  workflows/typo.json: fe_ris (fe) failed: input "data" has no column "lnTrainfa"; did you mean lnTrainfra? (the value of $controls, set in this file); inputs: data <- est.table');
    expect(failed.slice(1).every((l) => / {2}the same error as fe_ris$/.test(l))).toBe(true);
    expect(failed.length).toBe(20);
    expect(r.stdout).toMatch(/^ {2}skipped table2 +input fe_ris failed$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('20 nodes failed and 8 were skipped: out/typo has only the outputs of the 25 that succeeded');
  });

  it('a --set value with no column of that name: blamed on --set', () => {
    const r = run(['run', 'workflows/paper.json', '--no-out', '--only', 'fe_ris', '--set', 'controls=["lnTrainfa"]', '--cache', join(dir, 'caches/set')]);
    expect(r.stdout).toContain('  FAILED  workflows/paper.json: fe_ris (fe) failed: input "data" has no column "lnTrainfa"; did you mean lnTrainfra? (the value of $controls, from --set controls); inputs: data <- est.table');
  });

  it('a path set in a branch is resolved against the file declaring the node, and the error says so', () => {
    const r = run(['run', 'workflows/mine/mydata.json']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('error: workflows/paper.json: nodes.raw.with: path ../../data/mydata/city_year.csv leaves the project tree ('
      + dir + ') (resolved against workflows/paper.json, where node raw (load-yearbook) is declared; $dataDir was set in workflows/mine/mydata.json, but a path is relative to the file declaring the node); keep data inside the project');
    const missing = run(['run', 'workflows/paper.json', '--set', 'dataDir=../data/nope']);
    expect(missing.stderr.split('\n')[0]).toBe('error: workflows/paper.json: nodes.raw.with: ../data/nope/city_year.csv does not exist (resolved against workflows/paper.json, where node raw (load-yearbook) is declared)');
  });

  it('--set bootReps=99.5: the error once', () => {
    const r = run(['run', 'workflows/paper.json', '--set', 'bootReps=99.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: workflows/paper.json: nodes.med_intel_ris.with.bootstrap.reps: expected an integer in [0, 1000000], got 99.5 (the value of $bootReps, from --set bootReps) (the same at med_intel_ais, med_fin_ris, med_fin_ais)\n'
      + '1 problem in the workflow; nothing was run\n');
  });

  it('explain of an unknown node suggests the closest', () => {
    const r = run(['explain', 'workflows/paper.json', 'fe_rsi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: workflows/paper.json: explain fe_rsi: no such node; did you mean fe_ris or fe_ais? (`flow graph` draws all 53)\n');
  });

  it('--set delta 0.096 (no "="): one line, not the help', () => {
    const r = run(['run', 'workflows/paper.json', '--set', 'delta', '0.096']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --set delta: expected name=value (--set delta=0.096)\n');
    expect(r.stdout).toBe('');
    expect(run(['status', 'workflows/paper.json', '--set', 'delta']).stderr).toBe('error: --set delta: expected name=value (--set delta=value)\n');
  });

  it('flow status --set delta=0.096: the root cause once, the nodes it reaches listed compactly', () => {
    const r = run(['status', 'workflows/paper.json', '--set', 'delta=0.096']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/^ +root: /m);
    const tail = r.stdout.slice(r.stdout.indexOf('13 fresh, 40 stale\n'));
    expect(tail.split('\n').slice(0, 4)).toEqual(['13 fresh, 40 stale', 'root causes:', '  params.delta 0.09 -> 0.096 changed node stockTotal', '  params.delta 0.09 -> 0.096 changed node stock; real unchanged']);
    expect(tail).toContain('  makes 37 nodes stale: structure, tfp, lq, vars, sample, intel, panel, est,\n    describe, fe_ris,');
    expect(rootBlock(['x changed node a'], ['b', 'c'])).toBe('root cause: x changed node a\n  makes 2 nodes stale: b, c\n');
  });

  it('explain after a first run: an upstream node that also ran for the first time is "new", not "unchanged"', () => {
    const cache = join(dir, 'caches/first');
    run(['run', 'workflows/paper.json', '--no-out', '--only', 'fe_ris', '--cache', cache]);
    const r = run(['explain', 'workflows/paper.json', 'fe_ris', '--cache', cache]);
    expect(r.stdout).toContain('    root cause: fe_ris has no earlier run in this workflow; est new\n');
    const j = jsonLines(run(['run', 'workflows/paper.json', '--no-out', '--only', 'raw', '--json', '--cache', join(dir, 'caches/second')]).stdout);
    expect(j[0].roots).toEqual(['raw has no earlier run in this workflow']);
  });

  it('flow cache ls: a header, aligned columns, --node and --workflow', () => {
    const r = run(['cache', 'ls', '--node', 'fe_ris', '--workflow', 'paper.json']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY {11}TYPE {2}NODE +SIZE +TIME {2}WHEN {17}WORKFLOW$/);
    expect(lines[1]).toMatch(/^[0-9a-f]{12} {2}fe {4}fe_ris {2}[ \d.]+ KB {2}[ \d.]+ m?s {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}workflows\/paper\.json$/);
    expect(lines.at(-1)).toMatch(/^1 record of \d+ \(--node fe_ris, --workflow paper\.json\) in .*cache$/);
    const rec = { key: 'a'.repeat(64), node: 'fe[delta=0.09]', workflow: 'workflows/multiverse.json', ms: 5, at: '2026-01-02T03:04:05.000Z', outputs: { model: { size: 2048 } }, fingerprint: { type: 'fe' } } as never;
    expect(lsFilter({ node: 'fe' })(rec)).toBe(true);
    expect(lsFilter({ node: 'f' })(rec)).toBe(false);
    expect(lsFilter({ workflow: 'paper.json' })(rec)).toBe(false);
    expect(lsTable([rec])).toBe('KEY           TYPE  NODE              SIZE    TIME  WHEN                 WORKFLOW\n'
      + 'aaaaaaaaaaaa  fe    fe[delta=0.09]  2.0 KB  5.0 ms  2026-01-02 03:04:05  workflows/multiverse.json\n');
  });

  it('flow watch: a "changed:" line per file and a separator between cycles', () => {
    const h = cycleHeader([join(process.cwd(), 'workflows/paper.json'), join(process.cwd(), 'workflows/paper.json')], 40, new Date(2026, 0, 2, 3, 4, 5));
    expect(h).toBe('changed: workflows/paper.json\n-- 03:04:05 ---------------------------\n');
  });
});
