import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { structureIndices } from '../../src/nodes/structure-indices.js';
import { runNode } from './measure-helpers.js';

// Same two cities as test/econ/measure/structure.test.ts (city B sector-1 employment 20).
const data = () =>
  aq.table({
    city: ['A', 'B'],
    year: [2010, 2010],
    va_primary: [10, 20],
    va_secondary: [40, 60],
    va_tertiary: [50, 120],
    emp_primary: [20, 20],
    emp_secondary: [40, 20],
    emp_tertiary: [40, 40],
  });

describe('structure-indices', () => {
  it('adds RIS and AIS (minmax) computed by hand for two cities', async () => {
    const { table, report } = await runNode(structureIndices, {}, { data: data() });
    // A: Y shares (0.1, 0.4, 0.5), L shares (0.2, 0.4, 0.4): RIS = 1 - 0.2/3
    // B: Y shares (0.1, 0.3, 0.6), L shares (0.25, 0.25, 0.5): |.15| + |.05| + |.1| = 0.3 -> RIS = 0.9
    expect(table.array('RIS')[0]).toBeCloseTo(1 - 0.2 / 3, 14);
    expect(table.array('RIS')[1]).toBeCloseTo(0.9, 14);
    // lp A (0.5, 1, 1.25) = every sector minimum -> AIS 0; lp B (1, 3, 3) = every maximum -> AIS 1
    expect(table.array('AIS')[0]).toBeCloseTo(0, 14);
    expect(table.array('AIS')[1]).toBeCloseTo(1, 14);
    expect(report.sectors[1]).toEqual({ va: 'va_secondary', emp: 'emp_secondary', low: 1, high: 3 });
  });

  it("uses the benchmark productivities with lpStandard 'benchmark'", async () => {
    const { table } = await runNode(
      structureIndices,
      { lpStandard: 'benchmark', benchmark: { start: [0, 0, 0], end: [1, 4, 5] }, ais: 'adv' },
      { data: data() },
    );
    // A: 0.1 * 0.5 + 0.4 * 0.25 + 0.5 * 0.25 = 0.275; B: 0.1 * 1 + 0.3 * 0.75 + 0.6 * 0.6 = 0.685
    expect(table.array('adv')[0]).toBeCloseTo(0.275, 14);
    expect(table.array('adv')[1]).toBeCloseTo(0.685, 14);
  });

  it("asks for the benchmark values when lpStandard is 'benchmark'", async () => {
    await expect(runNode(structureIndices, { lpStandard: 'benchmark' }, { data: data() })).rejects.toThrow(/needs "benchmark"/);
  });

  it('names zero sector employment cells', async () => {
    const t = data().assign({ emp_primary: [20, 0] });
    await expect(runNode(structureIndices, {}, { data: t })).rejects.toThrow(/"emp_primary" is zero at \(B, 2010\)/);
  });

  it('rejects a sector whose productivity is the same everywhere (min-max undefined)', async () => {
    const t = data().assign({ emp_primary: [20, 40] });
    await expect(runNode(structureIndices, {}, { data: t })).rejects.toThrow(/same in every row.*'benchmark'/);
  });

  it('rejects va and emp lists of different lengths', async () => {
    await expect(runNode(structureIndices, { emp: ['emp_primary', 'emp_secondary'] }, { data: data() })).rejects.toThrow(/one value-added and one employment column per sector/);
  });
});

describe('structure-indices with missing inputs', () => {
  it('gives missing RIS and AIS for a row with a missing cell and keeps it out of the min-max range', async () => {
    const t = data().concat(aq.table({ city: ['C'], year: [2010], va_primary: [null], va_secondary: [1], va_tertiary: [1], emp_primary: [1], emp_secondary: [1], emp_tertiary: [1] }));
    const { table, report } = await runNode(structureIndices, {}, { data: t });
    expect(Number.isNaN(table.array('RIS')[2]) && Number.isNaN(table.array('AIS')[2])).toBe(true);
    expect(table.array('AIS')[1]).toBeCloseTo(1, 14); // same as the two-city example
    expect(report.sectors[1].low).toBe(1);
  });

  it('refuses a table with no complete row', async () => {
    const none = data().assign({ va_primary: [null, null] });
    await expect(runNode(structureIndices, {}, { data: none })).rejects.toThrow(/no row has every value-added and employment column/);
  });
});
