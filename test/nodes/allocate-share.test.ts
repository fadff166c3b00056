import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { allocateShare } from '../../src/nodes/allocate-share.js';
import { runNode } from './measure-helpers.js';

const city = () =>
  aq.table({
    city: ['Nanjing', 'Suzhou', 'Shanghai'],
    province: ['Jiangsu', 'Jiangsu', 'Shanghai'],
    year: [2010, 2010, 2010],
    fai_utilities: [20, 30, 50],
    fai_transport: [10, 40, 60],
  });
const province = () =>
  aq.table({
    province: ['Jiangsu', 'Shanghai'],
    year: [2010, 2010],
    fai_utilities: [100, 50],
    fai_electricity_supply: [40, 30],
    fai_transport: [200, 60],
    fai_railway: [50, 12],
  });

describe('allocate-share', () => {
  it('allocates (city broad / province broad) x province narrow, Shanghai as its own province', async () => {
    const { table } = await runNode(allocateShare, {}, { city: city(), province: province() });
    // Nanjing elec: 20/100 * 40 = 8; Suzhou: 30/100 * 40 = 12; Shanghai: 1 * 30 = 30
    expect(Array.from(table.array('elec_invest'))).toEqual([8, 12, 30]);
    // Nanjing rail: 10/200 * 50 = 2.5; Suzhou: 40/200 * 50 = 10; Shanghai: 1 * 12 = 12
    expect(Array.from(table.array('rail_invest'))).toEqual([2.5, 10, 12]);
  });

  it('gives Shanghai share 1 even when its city and province broad figures differ', async () => {
    const c = city().assign({ fai_utilities: [20, 30, 45] });
    const { table } = await runNode(
      allocateShare,
      { allocations: [{ out: 'elec_invest', broad: 'fai_utilities', narrow: 'fai_electricity_supply', shareOut: 'elec_share' }] },
      { city: c, province: province() },
    );
    expect(Array.from(table.array('elec_share'))).toEqual([0.2, 0.3, 1]);
  });

  it('names city rows without a province-year', async () => {
    const p = province().filter((d: any) => d.province === 'Jiangsu');
    await expect(runNode(allocateShare, {}, { city: city(), province: p })).rejects.toThrow(/no province-year row for the city rows \(Shanghai, 2010\)/);
  });

  it('rejects a share above 1 naming the cells', async () => {
    const c = city().assign({ fai_utilities: [120, 30, 50] });
    await expect(runNode(allocateShare, {}, { city: c, province: province() })).rejects.toThrow(/exceeds 1 at \(Nanjing, 2010\) = 1.2/);
  });

  it('rejects a zero province broad figure', async () => {
    const p = province().assign({ fai_transport: [0, 60] });
    await expect(runNode(allocateShare, {}, { city: city(), province: p })).rejects.toThrow(/"fai_transport" is zero or negative for \(Nanjing, 2010\)/);
  });
});
