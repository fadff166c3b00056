import { describe as group, it, expect } from 'vitest';
import * as aq from 'arquero';
import { describe } from '../../src/nodes/describe.js';
import { runNode } from './measure-helpers.js';

const data = () => aq.table({ city: ['A', 'A', 'B', 'B'], year: [1, 2, 1, 2], y: [1, 2, 3, 100], x: [10, 20, 30, null] });

group('describe', () => {
  it('summarises exactly the rows where every variable is present, and reports N', async () => {
    const { table, report } = await runNode(describe, { vars: ['y', 'x'] }, { data: data() });
    // rows used: 1-3. y = 1, 2, 3: mean 2, sd 1; x = 10, 20, 30: mean 20, sd 10
    expect(table.objects()).toEqual([
      { var: 'y', N: 3, mean: 2, sd: 1, min: 1, max: 3 },
      { var: 'x', N: 3, mean: 20, sd: 10, min: 10, max: 30 },
    ]);
    expect(report).toMatchObject({ rowsIn: 4, nobs: 3, dropped: 1 });
  });

  it('summarises each variable over its own rows with listwise false', async () => {
    const { table } = await runNode(describe, { vars: ['y'], listwise: false }, { data: data() });
    expect(table.objects()[0].N).toBe(4);
  });

  it('rejects a text column naming the cell', async () => {
    const t = data().assign({ x: ['10', 'NA', '1', '2'] });
    await expect(runNode(describe, { vars: ['x'] }, { data: t })).rejects.toThrow(/"x" is not numeric at \(A, 1\) = "10"/);
  });
});
