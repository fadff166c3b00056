// flow ui's pieces that need no browser: --set text split into words, the comparison grids
// of a table node's rendered cells and of a model, and which of their cells changed.
import { describe, it, expect } from 'vitest';
import { splitSets } from '../../src/ui/session.js';
import { gridOf, changedCells } from '../../src/ui/compare-view.js';

describe('flow ui', () => {
  it('splits --set text into name=value words, keeping lists and quoted strings whole', () => {
    expect(splitSets('delta=0.096  winsor=0.05')).toEqual(['delta=0.096', 'winsor=0.05']);
    expect(splitSets('--set controls=["lnFD", "Govexp"] --set branch="a b"')).toEqual(['controls=["lnFD", "Govexp"]', 'branch="a b"']);
    expect(splitSets('  ')).toEqual([]);
  });

  it("flags a table node's changed cells (estimates and standard errors) and a model's", () => {
    const table = (est: string) => ({ parts: [{ kind: 'table', node: 'table2', grid: { title: 'Table 2', notes: [], columns: ['(1)'], heads: [{ label: 'Dependent variable', cells: ['RIS'] }], rows: [
      { kind: 'coef', label: 'lnINF', est: [est], se: ['0.010'] }, { kind: 'rule' }, { kind: 'stat', label: 'Observations', cells: ['390'] }] } }] });
    const a = gridOf('report', table('0.036***')), b = gridOf('report', table('0.035***'));
    expect(a.rows.map((r) => r.key)).toEqual(['[Dependent variable]', 'lnINF', 'lnINF s.e.', 'Observations']);
    expect(changedCells(a, b)).toEqual(['lnINF\t0']);
    const model = (x: number) => ({ estimator: 'fe', coefficients: [{ term: 'lnINF', estimate: x, std_error: 0.01, p_value: 0.001 }, { term: 'lnFD', estimate: 0.2, std_error: 0.1, p_value: 0.3 }] });
    expect(changedCells(gridOf('model', model(0.0355)), gridOf('model', model(0.0351)))).toEqual(['term:lnINF\t0']);
    expect(changedCells(gridOf('model', model(0.0355)), gridOf('model', model(0.0355)))).toEqual([]);
  });
});
