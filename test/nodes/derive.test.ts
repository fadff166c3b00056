import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { derive } from '../../src/nodes/derive.js';
import { FlowError } from '../../src/errors.js';
import { runNode } from './measure-helpers.js';

const data = () => aq.table({ city: ['A', 'B', 'C'], year: [2010, 2010, 2010], retail: [30, null, 10], gdp: [100, 50, 0], pop: [2, 5, 1] });

describe('derive', () => {
  it('adds columns from arquero expressions, later ones reading earlier ones and $ constants', async () => {
    const { table } = await runNode(
      derive,
      { columns: { pop10k: 'd => d.pop * $.k', perCap: 'd => d.gdp / d.pop10k' }, values: { k: 10 } },
      { table: data().filter((d: any) => d.city !== 'C') },
    );
    // A: 100 / (2 * 10) = 5; B: 50 / 50 = 1
    expect(Array.from(table.array('perCap'))).toEqual([5, 1]);
  });

  it('propagates a missing value instead of treating it as 0', async () => {
    const { table } = await runNode(derive, { columns: { s: 'd => d.retail / d.gdp' } }, { table: data().filter((d: any) => d.city !== 'C') });
    expect(table.array('s')[0]).toBeCloseTo(0.3, 14);
    expect(Number.isNaN(table.array('s')[1])).toBe(true); // arquero alone would give 0 / 50 = 0
  });

  it('names the cells where a result is not finite although its inputs are present', async () => {
    await expect(runNode(derive, { columns: { s: 'd => d.retail / d.gdp' } }, { table: data() })).rejects.toThrow(
      /not a finite number at \(C, 2010\) = Infinity/,
    );
    await expect(runNode(derive, { columns: { l: 'd => op.log(d.gdp)' } }, { table: data() })).rejects.toThrow(/\(C, 2010\) = -Infinity/);
  });

  it('accepts non-finite results with allowNonFinite', async () => {
    const { table } = await runNode(derive, { columns: { l: 'd => op.log(d.gdp)' }, allowNonFinite: true }, { table: data() });
    expect(table.array('l')[2]).toBe(-Infinity);
  });

  it('reports an invalid expression as a validation error naming the column', async () => {
    const err = await runNode(derive, { columns: { s: 'd => d.nope + 1' } }, { table: data() }).catch((e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.kind).toBe('validate');
    expect(err.message).toMatch(/derive column "s".*d\.nope/);
  });
});
