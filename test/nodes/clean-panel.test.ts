import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { cleanPanel } from '../../src/nodes/clean-panel.js';
import { runNode } from './measure-helpers.js';

// A: 6 years with an interior gap in 2003 and 2004 (filled) -> complete run of 6.
// B: 6 years, x missing in 2002 and 2005: after filling 2002 the runs are 2001-2004 (4) and 2006 (1) ->
//    2005 is interior too, so it is filled as well: a run of 6. C: only 3 years -> dropped.
const data = () =>
  aq.table({
    city: ['A', 'A', 'A', 'A', 'A', 'A', 'B', 'B', 'B', 'B', 'B', 'B', 'C', 'C', 'C'],
    year: [2001, 2002, 2003, 2004, 2005, 2006, 2001, 2002, 2003, 2004, 2005, 2006, 2001, 2002, 2003],
    x: [1, 2, null, null, 5, 6, 10, null, 12, 13, null, 15, 1, 1, 1],
  });

describe('clean-panel', () => {
  it('fills interior gaps linearly and reports each filled cell', async () => {
    const { table, report } = await runNode(cleanPanel, { vars: ['x'], winsor: false }, { data: data() });
    // A 2003 = 2 + (5 - 2) * 1/3 = 3; A 2004 = 4; B 2002 = 11; B 2005 = 14
    expect(Array.from(table.array('x')).slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(report.filled).toEqual([
      { id: 'A', time: 2003, var: 'x', value: 3 },
      { id: 'A', time: 2004, var: 'x', value: 4 },
      { id: 'B', time: 2002, var: 'x', value: 11 },
      { id: 'B', time: 2005, var: 'x', value: 14 },
    ]);
  });

  it('drops a unit without 5 consecutive complete years and reports it', async () => {
    const { table, report } = await runNode(cleanPanel, { vars: ['x'], winsor: false }, { data: data() });
    expect(table.numRows()).toBe(12);
    expect(report.dropped.units).toEqual([{ id: 'C', longestRun: 3, rows: 3, step: 'continuity', continuity: 5 }]);
    // said as a warning (the CLI prints a report's warnings), naming the unit and the step
    expect(report.warnings).toEqual(['C dropped (continuity): its longest run of consecutive complete years is 3 (of 3 rows), fewer than continuity = 5; every model downstream runs without it']);
  });

  it('without interpolation the gaps break continuity', async () => {
    const { report } = await runNode(cleanPanel, { vars: ['x'], winsor: false, interpolate: false, continuity: 3 }, { data: data() });
    // A: runs 2001-2002 (2) and 2005-2006 (2) -> dropped; B: 2003-2004 (2) -> dropped; C: 3 -> kept
    expect(report.dropped.units.map((u: any) => u.id)).toEqual(['A', 'B']);
  });

  it('winsorises pooled kept rows at the given quantiles and reports each clipped cell', async () => {
    const { table, report } = await runNode(cleanPanel, { vars: ['x'], winsor: [0.1, 0.9] }, { data: data() });
    // kept x: 1..6, 10..15 (12 values). q(0.1): h = 1.1 -> 2 + 0.1 * 1 = 2.1; q(0.9): h = 9.9 -> 13 + 0.9 * 1 = 13.9
    expect(report.winsor.bounds.x.low).toBeCloseTo(2.1, 12);
    expect(report.winsor.bounds.x.high).toBeCloseTo(13.9, 12);
    expect(report.clipped.map((c: any) => `${c.id}${c.time}`)).toEqual(['A2001', 'A2002', 'B2005', 'B2006']);
    expect(table.array('x')[0]).toBeCloseTo(2.1, 12);
  });

  it('adds logs named by prefix or explicitly', async () => {
    const { table } = await runNode(cleanPanel, { vars: ['x'], winsor: false, logs: { lnX: 'x' } }, { data: data() });
    expect(table.array('lnX')[1]).toBeCloseTo(Math.log(2), 14);
    const list = await runNode(cleanPanel, { vars: ['x'], winsor: false, logs: ['x'] }, { data: data() });
    expect(list.table.columnNames()).toContain('lnx');
  });

  it('names the (city, year) cells when a log argument is not positive', async () => {
    const t = data().assign({ x: [1, 2, 3, 4, 5, 6, 10, 0, 12, 13, -1, 15, 1, 1, 1] });
    await expect(runNode(cleanPanel, { vars: ['x'], winsor: false, logs: ['x'] }, { data: t })).rejects.toThrow(
      /log of "x": it is zero or negative at \(B, 2002\) = 0, \(B, 2005\) = -1/,
    );
  });

  it('drops the still-incomplete rows with dropIncomplete and reports them', async () => {
    const t = data().assign({ x: [null, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 1, 1, 1] });
    const { table, report } = await runNode(cleanPanel, { vars: ['x'], winsor: false, dropIncomplete: true }, { data: t });
    expect(report.dropped.rows).toEqual([{ id: 'A', time: 2001, missing: ['x'] }]);
    expect(table.numRows()).toBe(11);
  });

  it('rejects duplicated (city, year) rows', async () => {
    const t = aq.table({ city: ['A', 'A'], year: [2001, 2001], x: [1, 2] });
    await expect(runNode(cleanPanel, { vars: ['x'] }, { data: t })).rejects.toThrow(/duplicated on \(city, year\) at \(A, 2001\)/);
  });
});
