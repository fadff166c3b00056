// flow diff on the shipped workflows: robust-delta.json (delta 0.096) against paper.json lists
// the changed lnINF cells of Table 2 with their real values and names delta as their root;
// a workflow against itself changes nothing; --table filters; a wrong --table is named.
import { describe, it, expect, beforeAll } from 'vitest';
import { REPO, flow } from '../graph/helpers.js';
import { paperCache } from './paper-cache.js';

let cache = '';
beforeAll(async () => { cache = await paperCache(); }, 240_000);
const diff = (...args: string[]) => flow(['diff', ...args, '--cache', cache], REPO);

describe('flow diff', () => {
  it('lists the changed lnINF cells of robust-delta.json against paper.json and names delta as the root; exit 1', () => {
    const r = diff('workflows/paper.json', 'workflows/robust-delta.json');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^root param differences:\n {2}delta {3}0\.09 -> 0\.096 {3}\(changed stock, /m);
    expect(r.stdout).toMatch(/^ {2}branch {2}baseline -> delta = 0\.096 /m);
    expect(r.stdout).toContain('\ntable2: 17 cells changed; root: branch (at table2), delta (at stockTotal, stock)\n');
    expect(r.stdout).toContain('\n  table2 lnINF RIS 0.036*** -> 0.035***\n');
    expect(r.stdout).toContain('\n  table2 lnINF AIS 0.038*** -> 0.037***\n');
    expect(r.stdout).toContain('\n  table3 lnINF RIS IV-2SLS 0.047*** -> 0.046***\n');
    expect(r.stdout).toContain('\n  title: Table 2: two-way fixed effects (baseline) -> Table 2: two-way fixed effects (delta = 0.096)\n');
    // an unchanged cell is not listed: the SE of lnINF stays 0.010
    expect(r.stdout).not.toContain('table2 lnINF s.e. RIS');
    expect(r.stdout).toMatch(/\n8 of 8 tables differ \(\d+ cells\); root params: delta, branch\n$/);
    // the runs (hits on this warm cache) are summed up on stderr, not on stdout
    expect(r.stderr).toContain('workflows/robust-delta.json: ran 0, hit 53');
  });

  it('gives the same comparison as JSON', () => {
    const r = diff('workflows/paper.json', 'workflows/robust-delta.json', '--json', '--table', 'table2');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.params.map((p: { name: string; old: unknown; new: unknown }) => [p.name, p.old, p.new])).toEqual([['delta', 0.09, 0.096], ['branch', 'baseline', 'delta = 0.096']]);
    expect(j.params[0].nodes).toContain('fe_ris');
    expect(j.tables).toHaveLength(1);
    expect(j.tables[0].cells).toContainEqual({ table: 'table2', row: 'lnINF', column: 'RIS', old: '0.036***', new: '0.035***' });
    expect(j.tables[0].causes.find((c: { name: string }) => c.name === 'delta')).toEqual({ kind: 'param', name: 'delta', text: 'param delta', at: ['stockTotal', 'stock'] });
  });

  it('prints Markdown with --format md', () => {
    const r = diff('workflows/paper.json', 'workflows/robust-delta.json', '--format', 'md', '--table', 'table2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('| delta | 0.09 | 0.096 |');
    expect(r.stdout).toContain('\n| lnINF | RIS | 0.036*** | 0.035*** |\n');
  });

  it('--table keeps only the named tables', () => {
    const r = diff('workflows/paper.json', 'workflows/robust-delta.json', '--table', 'table2');
    expect(r.stdout).toContain('table2 lnINF RIS');
    expect(r.stdout).not.toMatch(/^table[13-7_]/m);
    expect(r.stdout).toMatch(/\n1 of 1 table differ/);
  });

  it('says nothing changed, exit 0, for a workflow against itself', () => {
    const r = diff('workflows/paper.json', 'workflows/paper.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('root param differences: none\n');
    expect(r.stdout).toContain('nothing changed: 8 tables identical, no param differs\n');
    expect(r.stdout).not.toMatch(/^ {2}(table|title)/m);
  });

  it('names an unknown --table, lists the tables and suggests the closest (exit 2, nothing run)', () => {
    const r = diff('workflows/paper.json', 'workflows/robust-delta.json', '--table', 'tabel2');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --table tabel2: no table node of that name (did you mean "table2" or "table1" or "table3"?); the tables: table6, table1, table2, table3, table4, table5, table7, table_spatial\n');
    expect(r.stderr).not.toContain('hit 53');
    expect(r.stdout).toBe('');
  });

  it('refuses a --format it does not know and a missing workflow (exit 2)', () => {
    expect(diff('workflows/paper.json', 'workflows/paper.json', '--format', 'html').stderr).toContain('--format html: expected text or md');
    const r = diff('workflows/paper.json', 'workflows/nope.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('workflows/nope.json: workflow file not found');
  });
});
