import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { project } from './helpers.js';
import { cases } from './fixtures/malformed.js';
import { loadWorkflow, formatError, WorkflowInvalid } from '../../src/graph/load.js';
import { buildPlan } from '../../src/graph/plan.js';
import { selectNodes } from '../../src/graph/scheduler.js';
import { parseSets } from '../../src/cli/common.js';
import { FlowError } from '../../src/errors.js';
import { emptyCatalog } from './helpers.js';
import { describe as describeSchema } from '../../src/graph/paramerr.js';

describe('validation', () => {
  it('the corpus covers every error class with at least 30 files', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  for (const c of cases) {
    it(`rejects ${c.name} with a message naming file and field`, async () => {
      const dir = project(c.files);
      const prev = process.cwd();
      process.chdir(dir); // messages name files relative to the working directory
      try {
        let err: unknown;
        try {
          const args = c.args ?? [];
          const sets = args[0] === '--set' ? parseSets([args[1]], join(dir, c.wf ?? 'wf.json')) : {};
          const p = buildPlan(await loadWorkflow(join(dir, c.wf ?? 'wf.json'), emptyCatalog), sets);
          if (args[0] === '--only') selectNodes(p, [args[1]], '--only');
        } catch (e) { err = e; }
        expect(err).toBeInstanceOf(FlowError);
        const text = err instanceof WorkflowInvalid ? err.errors.map(formatError).join('\n') : formatError(err as FlowError);
        for (const s of c.expect) expect(text).toContain(s);
      } finally { process.chdir(prev); }
    });
  }

  it('reports every problem of a file, not only the first', async () => {
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], nodes: { a: { uses: 'nope' }, m: { uses: 't-matrix', with: { n: 0 } }, r: { uses: 't-round' } } } });
    const err = await loadWorkflow(join(dir, 'wf.json'), emptyCatalog).then((l) => buildPlan(l)).catch((e) => e);
    expect((err as WorkflowInvalid).errors.map((e) => e.context.field)).toEqual(['nodes.a.uses', 'nodes.r.in.x']);
  });

  it('describes a JSON Schema type list (a nullable param) as its alternatives', () => {
    expect(describeSchema({ type: ['string', 'null'] })).toBe('a string or null');
    expect(describeSchema({ type: ['integer', 'null'], minimum: 1 })).toBe('an integer >= 1 or null');
  });
});
