import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { pim } from '../../src/nodes/pim.js';
import { runNode } from './measure-helpers.js';

const data = () =>
  aq.table({
    city: ['B', 'B', 'B', 'A', 'A', 'A'],
    year: [2005, 2003, 2004, 2003, 2004, 2005],
    inv_real: [12.1, 10, 11, 20, 20, 20],
  });

describe('pim', () => {
  it("pim(delta, base='zhang') starts from I0 / 0.10 and recurses per city in year order", async () => {
    const { table, report } = await runNode(pim, { delta: 0.1 }, { data: data() });
    const K = table.array('capital');
    // B (rows 1, 2, 0): K2003 = 10 / 0.1 = 100; K2004 = 100 * 0.9 + 10 = 100; K2005 = 100 * 0.9 + 11 = 101
    expect(K[1]).toBeCloseTo(100, 12);
    expect(K[2]).toBeCloseTo(100, 12);
    expect(K[0]).toBeCloseTo(101, 12);
    // A: 200, 200 * 0.9 + 20 = 200, 200
    expect(K[5]).toBeCloseTo(200, 12);
    expect(report.units.map((u: any) => u.unit)).toEqual(['B', 'A']);
  });

  it("pim(base='hall-jones') starts from I0 / (g + delta)", async () => {
    const { table, report } = await runNode(pim, { delta: 0.1, base: 'hall-jones', window: 3 }, { data: data() });
    // B: growth 10/10 -> 11 (+10%), 11 -> 12.1 (+10%): g = 0.1; K0 = 10 / 0.2 = 50; K2004 = 45 + 10 = 55
    const K = table.array('capital');
    expect(K[1]).toBeCloseTo(50, 12);
    expect(K[2]).toBeCloseTo(55, 12);
    expect(report.units[0].g).toBeCloseTo(0.1, 12);
  });

  it('starts at startYear, scales the stock and leaves earlier rows missing', async () => {
    const { table } = await runNode(pim, { delta: 0.1, startYear: 2004, scale: 10000, out: 'K' }, { data: data() });
    // B: K2004 = 11 / 0.1 = 110 -> x 10000
    expect(Number.isNaN(table.array('K')[1])).toBe(true);
    expect(table.array('K')[2]).toBeCloseTo(1_100_000, 6);
  });

  it('rejects delta outside (0, 1)', () => {
    expect(() => pim.params.parse({ delta: 1 })).toThrow();
    expect(() => pim.params.parse({ delta: 0 })).toThrow();
  });

  it('names missing investment cells and suggests interpolating', async () => {
    const t = data().assign({ inv_real: [12.1, 10, null, 20, 20, 20] });
    await expect(runNode(pim, {}, { data: t })).rejects.toThrow(/missing at \(B, 2004\).*clean-panel/);
  });

  it('names the row after a gap in the years', async () => {
    const t = data().filter((d: any) => !(d.city === 'A' && d.year === 2004));
    await expect(runNode(pim, {}, { data: t })).rejects.toThrow(/not consecutive before \(A, 2005\)/);
  });

  it('rejects a Hall-Jones growth rate with g + delta <= 0', async () => {
    const t = aq.table({ city: ['A', 'A'], year: [2003, 2004], inv_real: [10, 5] });
    await expect(runNode(pim, { base: 'hall-jones' }, { data: t })).rejects.toThrow(/g \+ delta = -0.4100 <= 0/);
  });
});
