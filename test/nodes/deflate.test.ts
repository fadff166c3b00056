import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { deflate } from '../../src/nodes/deflate.js';
import { runNode } from './measure-helpers.js';

const prices = () =>
  aq.table({
    province: ['Jiangsu', 'Jiangsu', 'Jiangsu', 'Zhejiang', 'Zhejiang', 'Zhejiang'],
    year: [2003, 2004, 2005, 2003, 2004, 2005],
    fai_price_index: [103, 110, 90, 101, 120, 100],
  });
const data = () =>
  aq.table({
    city: ['Nanjing', 'Nanjing', 'Nanjing', 'Hangzhou'],
    province: ['Jiangsu', 'Jiangsu', 'Jiangsu', 'Zhejiang'],
    year: [2003, 2004, 2005, 2005],
    inv_nom: [10, 22, 19.8, 60],
  });

describe('deflate', () => {
  it('divides by the chained provincial deflator with base year 2003', async () => {
    const { table } = await runNode(deflate, { columns: ['inv_nom'], deflator: 'P' }, { data: data(), prices: prices() });
    // Jiangsu: P2003 = 1, P2004 = 1.10, P2005 = 1.10 * 0.90 = 0.99 -> real 10, 20, 20
    // Zhejiang: P2005 = 1.20 * 1.00 = 1.20 -> 60 / 1.2 = 50
    const real = table.array('inv_nom_real');
    [10, 20, 20, 50].forEach((v, i) => expect(real[i]).toBeCloseTo(v, 12));
    expect(table.array('P')[2]).toBeCloseTo(0.99, 14);
  });

  it('chains backwards for years before the base', async () => {
    const { table } = await runNode(deflate, { columns: ['inv_nom'], base: 2005, rename: { inv_nom: 'inv' } }, { data: data(), prices: prices() });
    // Jiangsu, base 2005: P2004 = 1 / 0.90, P2003 = 1 / 0.90 / 1.10 -> real 2003 = 10 * 0.99 = 9.9
    expect(table.array('inv')[0]).toBeCloseTo(9.9, 12);
    expect(table.array('inv')[1]).toBeCloseTo(22 * 0.9, 12);
    expect(table.array('inv')[2]).toBeCloseTo(19.8, 12);
  });

  it('names the data rows without a deflator', async () => {
    const p = prices().filter((d: any) => !(d.province === 'Zhejiang' && d.year === 2004));
    await expect(runNode(deflate, { columns: ['inv_nom'] }, { data: data(), prices: p })).rejects.toThrow(/no deflator for the data rows \(Hangzhou, 2005\)/);
  });

  it('rejects a non-positive index naming (province, year)', async () => {
    const p = prices().assign({ fai_price_index: [103, 0, 90, 101, 120, 100] });
    await expect(runNode(deflate, { columns: ['inv_nom'] }, { data: data(), prices: p })).rejects.toThrow(/must be positive .* \(Jiangsu, 2004\) = 0/);
  });

  it('requires the columns list', () => {
    expect(() => deflate.params.parse({})).toThrow();
  });
});
