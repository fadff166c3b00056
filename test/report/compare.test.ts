// report/compare.ts on small hand-made grids and fingerprints: cells matched by row and
// column label (not position), panels, repeated labels, titles and notes; the root params
// a changed node goes back to.
import { describe, it, expect } from 'vitest';
import { attribute, cellsOf, columnLabels, compareGrids, formatCell, gridOf, paramDiffs, paramsAt, unchanged, type NodeSides } from '../../src/report/compare.js';
import type { Grid } from '../../src/report/grid.js';
import type { Fingerprint } from '../../src/graph/fingerprint.js';

const grid = (over: Partial<Grid> = {}): Grid => ({
  name: 't2', title: 'Table 2 (baseline)', stub: '', columns: ['(1)', '(2)'],
  heads: [{ label: 'Dependent variable', cells: ['RIS', 'AIS'] }],
  rows: [
    { kind: 'coef', label: 'lnINF', est: ['0.036***', '0.038***'], se: ['0.010', '0.009'] },
    { kind: 'coef', label: 'lnFD', est: ['0.029', '-0.036'], se: ['0.058', '0.028'] },
    { kind: 'rule' },
    { kind: 'stat', label: 'Observations', cells: ['390', '390'] },
  ],
  notes: ['Standard errors in parentheses.'],
  ...over,
});

describe('compareGrids', () => {
  it('lists a changed estimate as table, row, column, old -> new', () => {
    const b = grid({ rows: [{ kind: 'coef', label: 'lnINF', est: ['0.035***', '0.038***'], se: ['0.010', '0.009'] }, ...grid().rows.slice(1)] });
    const d = compareGrids('table2', grid(), b);
    expect(d.cells).toEqual([{ table: 'table2', row: 'lnINF', column: 'RIS', old: '0.036***', new: '0.035***' }]);
    expect(d.cells.map(formatCell)).toEqual(['table2 lnINF RIS 0.036*** -> 0.035***']);
    expect(unchanged(d)).toBe(false);
  });

  it('matches rows by label: a row inserted above changes no cell below it', () => {
    const b = grid({ rows: [grid().rows[0], { kind: 'coef', label: 'lnTrainfra', est: ['-0.019', '0.009'], se: ['0.041', '0.020'] }, ...grid().rows.slice(1)] });
    const d = compareGrids('table2', grid(), b);
    expect(d.cells).toEqual([]);
    expect(d.rowsAdded).toEqual(['lnTrainfra', 'lnTrainfra s.e.']);
    expect(d.rowsRemoved).toEqual([]);
  });

  it('matches columns by their header labels: swapped columns are not changed cells', () => {
    const a = grid();
    const swap = <T,>(x: T[]) => [x[1], x[0]];
    const b = grid({
      heads: [{ label: 'Dependent variable', cells: ['AIS', 'RIS'] }],
      rows: a.rows.map((r) => (r.kind === 'coef' ? { ...r, est: swap(r.est), se: swap(r.se) } : r.kind === 'stat' ? { ...r, cells: swap(r.cells) } : r)),
    });
    const d = compareGrids('table2', a, b);
    expect(d.cells).toEqual([]);
    expect(d.columnsAdded).toEqual([]);
  });

  it('reports the standard error, the title and the notes', () => {
    const b = grid({ title: 'Table 2 (delta = 0.096)', notes: ['Standard errors in parentheses.', 'W row-standardised.'],
      rows: [{ kind: 'coef', label: 'lnINF', est: ['0.036***', '0.038***'], se: ['0.011', '0.009'] }, ...grid().rows.slice(1)] });
    const d = compareGrids('table2', grid(), b);
    expect(d.cells).toEqual([{ table: 'table2', row: 'lnINF s.e.', column: 'RIS', old: '0.010', new: '0.011' }]);
    expect(d.title).toEqual({ old: 'Table 2 (baseline)', new: 'Table 2 (delta = 0.096)' });
    expect(d.notesAdded).toEqual(['W row-standardised.']);
    expect(d.notesRemoved).toEqual([]);
  });

  it('says nothing changed for equal grids', () => {
    const d = compareGrids('table2', grid(), grid());
    expect(unchanged(d)).toBe(true);
  });
});

describe('row and column names', () => {
  it('names rows under a panel heading by the panel, until the next rule', () => {
    const g = grid({ rows: [
      { kind: 'coef', label: 'lnINF', est: ['1', '2'], se: ['', ''] },
      { kind: 'rule' }, { kind: 'panel', label: 'Direct effects' },
      { kind: 'coef', label: 'lnINF', est: ['3', '4'], se: ['', ''] },
      { kind: 'rule' },
      { kind: 'stat', label: 'Observations', cells: ['390', '390'] },
      { kind: 'span', label: 'Equal lnINF', text: 'F = 0.4' },
    ] });
    expect([...cellsOf(g).keys()]).toEqual(['[Dependent variable]', 'lnINF', 'lnINF s.e.', 'Direct effects: lnINF', 'Direct effects: lnINF s.e.', 'Observations', 'Equal lnINF']);
    expect(cellsOf(g).get('Equal lnINF')).toEqual(new Map([['(all)', 'F = 0.4']]));
  });

  it('names repeated data-table rows by their second cell, then by a count', () => {
    const g: Grid = { name: 'd', stub: 'test', columns: ['outcome', 'statistic'], plain: true, notes: [], rows: [
      { kind: 'stat', label: 'LM lag', cells: ['RIS', '1.888'] },
      { kind: 'stat', label: 'LM lag', cells: ['AIS', '1.035'] },
      { kind: 'stat', label: 'Hausman', cells: ['', '6.9'] },
      { kind: 'stat', label: 'Hausman', cells: ['', '7.1'] },
    ] };
    expect([...cellsOf(g).keys()]).toEqual(['LM lag RIS', 'LM lag AIS', 'Hausman', 'Hausman #2']);
  });

  it('puts the column number first when the header rows do not tell columns apart', () => {
    expect(columnLabels(grid())).toEqual(['RIS', 'AIS']);
    expect(columnLabels(grid({ heads: [{ label: 'Dependent variable', cells: ['RIS', 'RIS'] }] }))).toEqual(['(1) RIS', '(2) RIS']);
    expect(columnLabels(grid({ heads: [] }))).toEqual(['(1)', '(2)']);
  });

  it('takes the grid of a report value by its own table part', () => {
    const part = { kind: 'table', node: 'table2', grid: grid(), models: [] };
    expect(gridOf({ title: 't', files: {}, parts: [part] }, 'table2')).toBe(part.grid);
    expect(gridOf({ title: 'r', files: {}, parts: [part, { ...part, node: 'table3' }] }, 'report')).toBeUndefined();
    expect(gridOf(grid())).toEqual(grid());
  });
});

const fp = (type: string, params: unknown, inputs: Record<string, string | null> = {}, files: Record<string, string> = {}): Fingerprint =>
  ({ engine: 1, type, version: 1, code: 'c', params, inputs, files });

describe('params and root causes', () => {
  it('lists the effective params that differ', () => {
    expect(paramDiffs({ params: { delta: 0.09, w: 'inv', controls: ['a'] } }, { params: { delta: 0.096, w: 'inv', controls: ['a', 'b'] } }))
      .toEqual([{ name: 'delta', old: 0.09, new: 0.096 }, { name: 'controls', old: ['a'], new: ['a', 'b'] }]);
    expect(paramDiffs({ params: { delta: 0.09 } }, { params: { delta: 0.09 } })).toEqual([]);
  });

  it('reads the params a field is declared from', () => {
    const w = { delta: '$delta', x: ['lnINF', '$controls'], title: 'T (${branch})', lit: 3, esc: '$$delta' };
    expect(paramsAt(w, 'delta')).toEqual(['delta']);
    expect(paramsAt(w, 'x')).toEqual(['controls']);
    expect(paramsAt(w, 'x.1')).toEqual(['controls']);
    expect(paramsAt(w, 'title')).toEqual(['branch']);
    expect(paramsAt(w, 'lit')).toEqual([]);
    expect(paramsAt(w, 'esc')).toEqual([]);
    expect(paramsAt(w, 'missing')).toEqual([]);
  });

  it('attributes a changed node to the root param that entered upstream, through its inputs', () => {
    const roots = [{ name: 'delta', old: 0.09, new: 0.096 }, { name: 'branch', old: 'baseline', new: 'd' }];
    const with_: Record<string, Record<string, unknown>> = { stock: { delta: '$delta' }, table: { branch: '$branch' } };
    const nodes: NodeSides[] = [
      { id: 'raw', a: fp('load', {}, {}, { 'data/x.csv': 'h1' }), b: fp('load', {}, {}, { 'data/x.csv': 'h1' }), upstream: {} },
      { id: 'stock', a: fp('pim', { delta: 0.09 }, { data: 'r' }), b: fp('pim', { delta: 0.096 }, { data: 'r' }), upstream: { data: ['raw'] }, paramsOf: (f) => paramsAt(with_.stock, f) },
      { id: 'fe', a: fp('fe', {}, { data: 's1' }), b: fp('fe', {}, { data: 's2' }), upstream: { data: ['stock'] } },
      { id: 'table', a: fp('table', { branch: 'baseline' }, { models: 'f1' }), b: fp('table', { branch: 'd' }, { models: 'f2' }), upstream: { models: ['fe'] }, paramsOf: (f) => paramsAt(with_.table, f) },
    ];
    const c = attribute(nodes, roots);
    expect(c.has('raw')).toBe(false);
    expect(c.get('stock')).toEqual([{ kind: 'param', name: 'delta', text: 'param delta', at: ['stock'] }]);
    expect(c.get('fe')).toEqual(c.get('stock'));
    expect(c.get('table')!.map((x) => [x.name, x.at])).toEqual([['branch', ['table']], ['delta', ['stock']]]);
  });

  it('names a changed file, and a param change no workflow param explains', () => {
    const nodes: NodeSides[] = [
      { id: 'raw', a: fp('load', {}, {}, { 'data/x.csv': 'h1' }), b: fp('load', {}, {}, { 'data/x.csv': 'h2' }), upstream: {} },
      { id: 'fe', a: fp('fe', { y: 'RIS' }, { data: 'a' }), b: fp('fe', { y: 'AIS' }, { data: 'b' }), upstream: { data: ['raw'] }, paramsOf: () => [] },
    ];
    const c = attribute(nodes, []);
    expect(c.get('raw')).toEqual([{ kind: 'file', name: 'data/x.csv', text: 'file data/x.csv changed', at: ['raw'] }]);
    expect(c.get('fe')!.map((x) => x.text)).toEqual(['fe: params.y RIS -> AIS', 'file data/x.csv changed']);
  });
});
