import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { locationQuotient } from '../../src/nodes/location-quotient.js';
import { runNode } from './measure-helpers.js';

const data = () =>
  aq.table({
    city: ['A', 'B', 'A', 'B'],
    year: [2010, 2010, 2011, 2011],
    emp_finance: [1, 3, 2, 2],
    emp_primary: [2, 2, 5, 5],
    emp_secondary: [4, 4, 5, 5],
    emp_tertiary: [4, 4, 10, 10],
  });

describe('location-quotient', () => {
  it('divides the city finance share by the share of all cities in the same year', async () => {
    const { table } = await runNode(locationQuotient, {}, { data: data() });
    // 2010: total emp 10 each; ref = 4 / 20 = 0.2 -> A 0.1 / 0.2 = 0.5, B 0.3 / 0.2 = 1.5
    // 2011: total 20 each; ref 4 / 40 = 0.1 -> both 0.1 / 0.1 = 1
    const lq = Array.from(table.array('LQ') as Float64Array);
    [0.5, 1.5, 1, 1].forEach((v, i) => expect(lq[i]).toBeCloseTo(v, 14));
  });

  it('uses a reference region given by a column and its values', async () => {
    const { table } = await runNode(locationQuotient, { reference: { column: 'city', values: ['A'] } }, { data: data() });
    // 2010: ref = A alone = 0.1 -> B 0.3 / 0.1 = 3
    expect(table.array('LQ')[1]).toBeCloseTo(3, 14);
  });

  it('names cells with zero total employment', async () => {
    const t = data().assign({ emp_primary: [0, 2, 5, 5], emp_secondary: [0, 4, 5, 5], emp_tertiary: [0, 4, 10, 10] });
    await expect(runNode(locationQuotient, {}, { data: t })).rejects.toThrow(/zero or negative at \(A, 2010\)/);
  });
});
