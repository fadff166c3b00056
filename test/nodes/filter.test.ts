import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { filter } from '../../src/nodes/filter.js';
import { runNode } from './measure-helpers.js';

const data = () => aq.table({ city: ['A', 'A', 'B', 'B'], year: [2005, 2006, 2005, 2006], x: [1, null, 3, 4], y: [1, 2, 3, 4] });

describe('filter', () => {
  it('keeps rows matching a where predicate; a missing number never compares true', async () => {
    const { table } = await runNode(filter, { where: 'd => d.x < $.cut', values: { cut: 4 } }, { table: data() });
    // null < 4 is true in plain JS; here the missing x of (A, 2006) is dropped
    expect(table.objects().map((r: any) => `${r.city}${r.year}`)).toEqual(['A2005', 'B2005']);
  });

  it('keeps a year range or a year list', async () => {
    const range = await runNode(filter, { years: { from: 2006 } }, { table: data() });
    expect(Array.from(range.table.array('year'))).toEqual([2006, 2006]);
    const list = await runNode(filter, { years: [2005] }, { table: data() });
    expect(list.table.numRows()).toBe(2);
  });

  it('a selection that keeps no row says which one and what the table held (not an Arrow error downstream)', async () => {
    await expect(runNode(filter, { years: { from: 2030, to: 2040 } }, { table: data() }))
      .rejects.toThrow('no rows left: "years" {"from":2030,"to":2040} keeps none of the 4 rows (year 2005-2006); the nodes downstream need data: widen the selection');
    await expect(runNode(filter, { years: [2030] }, { table: data() })).rejects.toThrow('no rows left: "years" [2030] keeps none of the 4 rows (year 2005-2006)');
    await expect(runNode(filter, { where: 'd => d.y > 10' }, { table: data() })).rejects.toThrow('no rows left: "where" "d => d.y > 10" keeps none of the 4 rows');
  });

  it('a year range that runs backwards is a param error', () => {
    const r = filter.params.safeParse({ years: { from: 2030, to: 2020 } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toBe('years.from is after years.to, so no period would be kept: swap them');
    expect(filter.params.safeParse({ years: { from: 2020, to: 2020 } }).success).toBe(true);
  });

  it('keeps and drops columns', async () => {
    const keep = await runNode(filter, { keep: ['y', 'city'] }, { table: data() });
    expect(keep.table.columnNames()).toEqual(['y', 'city']);
    const drop = await runNode(filter, { drop: ['x'] }, { table: data() });
    expect(drop.table.columnNames()).toEqual(['city', 'year', 'y']);
  });

  it('names unknown columns and bad predicates', async () => {
    await expect(runNode(filter, { drop: ['z'] }, { table: data() })).rejects.toThrow(/no column "z"/);
    await expect(runNode(filter, { where: 'd => d.x >' }, { table: data() })).rejects.toThrow(/not a valid arquero predicate/);
  });
});
