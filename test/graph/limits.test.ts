// Bounds on params that size work: a clear validation error naming the param, its bound and
// the override, before anything runs (and before a huge matrix is expanded).
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { REPO } from './helpers.js';
import { catalog } from '../../src/cli/common.js';
import { loadWorkflow, formatError, WorkflowInvalid, type NodeCatalog } from '../../src/graph/load.js';
import { buildPlan } from '../../src/graph/plan.js';
import { LIMITS, limitOf } from '../../src/graph/limits.js';
import { write, project } from './helpers.js';

let cat: NodeCatalog | undefined;
const errorsOf = async (file: string, sets: Record<string, unknown> = {}): Promise<string[]> => {
  cat ??= await catalog();
  try { buildPlan(await loadWorkflow(file, cat), sets); return []; } catch (e) {
    if (!(e instanceof WorkflowInvalid)) throw e;
    return e.errors.map(formatError);
  }
};
const paper = join(REPO, 'workflows/paper.json');

afterEach(() => { delete process.env.FLOW_MAX_COMBINATIONS; delete process.env.FLOW_MAX_PLAN_NODES; });

describe('bounds on params that size work', () => {
  it('effectDraws=1e9 is refused naming the param, the bound and the override', async () => {
    const errs = await errorsOf(paper, { effectDraws: 1e9 });
    expect(errs).toHaveLength(2);
    expect(errs[0]).toContain('nodes.sdm_ris.with.effects.draws: expected an integer in [10, 100000], got 1000000000; at most 100,000 draws');
    expect(errs[0]).toContain('run with FLOW_MAX_DRAWS=1000000000 (the value of $effectDraws, from --set effectDraws)');
  });

  it('bootReps=1e7 is refused for the mediation bootstrap', async () => {
    const errs = await errorsOf(paper, { bootReps: 1e7 });
    expect(errs).toHaveLength(4);
    expect(errs[0]).toContain('nodes.med_intel_ris.with.bootstrap.reps: expected an integer in [0, 1000000], got 10000000; at most 1,000,000 bootstrap resamples');
    expect(errs[0]).toContain('FLOW_MAX_BOOTSTRAP_REPS=10000000');
  });

  it('the wild-bootstrap reps are bounded the same way', async () => {
    const { wildBootstrapParam } = await import('../../src/nodes/estimation.js');
    expect(wildBootstrapParam.safeParse({ term: 'x', reps: 1_000_000 }).success).toBe(true);
    expect(wildBootstrapParam.safeParse({ term: 'x', reps: 1_000_001 }).success).toBe(false);
  });

  it('the bounds themselves accept the paper\'s values and the largest allowed', async () => {
    expect(await errorsOf(paper)).toEqual([]);
    expect(await errorsOf(paper, { effectDraws: 100_000, bootReps: 1_000_000 })).toEqual([]);
  });

  it('a matrix of 10^6 combinations is refused at planning, before anything is copied', async () => {
    const dir = project();
    const vals = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
    write(dir, { 'wf.json': {
      plugins: ['./nodes.js'], params: { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 },
      matrix: Object.fromEntries('abcdef'.split('').map((k) => [k, vals(10, (i) => i)])),
      nodes: { x: { uses: 't-const', with: { value: ['$a', '$b', '$c', '$d', '$e', '$f'] } } },
    } });
    const heap = process.memoryUsage().heapUsed;
    const errs = await errorsOf(join(dir, 'wf.json'));
    expect(errs).toHaveLength(1);
    expect(errs[0].endsWith(`wf.json: matrix: a (10) x b (10) x c (10) x d (10) x e (10) x f (10) = 1,000,000 combinations; at most 10,000 combinations of a matrix (each a copy of the nodes that depend on it) are allowed; to allow more, run with FLOW_MAX_COMBINATIONS=1000000 (or list fewer values, or fix some with --set)`)).toBe(true);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(100e6); // the expansion would be ~GBs
    // a --set fixes a param: 10^5 combinations, still refused; the hint no longer suggests --set
    expect((await errorsOf(join(dir, 'wf.json'), { a: 3 }))[0]).toContain('= 100,000 combinations; at most 10,000 combinations of a matrix (each a copy of the nodes that depend on it) are allowed; to allow more, run with FLOW_MAX_COMBINATIONS=100000 (or list fewer values)');
    // the override raises the bound (the plan is then built: 10^4 copies of x)
    process.env.FLOW_MAX_COMBINATIONS = '100000';
    expect(await errorsOf(join(dir, 'wf.json'), { a: 3, b: 3 })).toEqual([]);
  });

  it('bounds the node copies a matrix makes, too', async () => {
    const dir = project({ 'wf.json': {
      plugins: ['./nodes.js'], params: { a: 1 }, matrix: { a: Array.from({ length: 50 }, (_, i) => i) },
      nodes: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, { uses: 't-const', with: { value: '$a' } }])),
    } });
    process.env.FLOW_MAX_PLAN_NODES = '1000';
    const errs = await errorsOf(join(dir, 'wf.json'));
    expect(errs).toHaveLength(1);
    expect(errs[0].endsWith(`wf.json: matrix: a (50) makes 1,500 node copies; at most 1,000 nodes of an expanded plan (matrix copies included) are allowed; to allow more, run with FLOW_MAX_PLAN_NODES=1500 (or list fewer values, or fix some with --set)`)).toBe(true);
  });

  it('a cached plan accepted under an override is not reused without it (the overrides are in the plan key)', async () => {
    const { planKey } = await import('../../src/graph/plancache.js');
    const plain = planKey('/p/wf.json', {}, 'stamp');
    process.env.FLOW_MAX_COMBINATIONS = '50000';
    expect(planKey('/p/wf.json', {}, 'stamp')).not.toBe(plain);
    delete process.env.FLOW_MAX_COMBINATIONS;
    expect(planKey('/p/wf.json', {}, 'stamp')).toBe(plain);
  });

  it('an override must be a positive integer', () => {
    expect(limitOf(LIMITS.draws, {})).toBe(100_000);
    expect(limitOf(LIMITS.draws, { FLOW_MAX_DRAWS: '5000000' })).toBe(5_000_000);
    for (const bad of ['0', '-3', '1.5', 'many', '1e999'])
      expect(() => limitOf(LIMITS.draws, { FLOW_MAX_DRAWS: bad })).toThrow(`FLOW_MAX_DRAWS=${bad}: expected a positive integer`);
  });
});
