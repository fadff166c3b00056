import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { solowTfp } from '../../src/nodes/solow-tfp.js';
import { runNode } from './measure-helpers.js';

describe('solow-tfp', () => {
  it('computes ln Y - alpha ln K - (1 - alpha) ln L from summed sector columns', async () => {
    const t = aq.table({ city: ['A'], year: [2010], y1: [40], y2: [60], K: [1000], L: [10] });
    const { table } = await runNode(solowTfp, { y: ['y1', 'y2'], k: 'K', l: 'L', alpha: 0.5 }, { data: t });
    // ln 100 - 0.5 ln 1000 - 0.5 ln 10 = ln 100 - 0.5 ln 10000 = 0
    expect(table.array('lnTFP')[0]).toBeCloseTo(0, 14);
  });

  it('names the cells where an input is not positive', async () => {
    const t = aq.table({ city: ['A', 'B'], year: [2010, 2010], Y: [1, 1], K: [1, 0], L: [1, 1] });
    await expect(runNode(solowTfp, { y: 'Y', k: 'K', l: 'L' }, { data: t })).rejects.toThrow(/log of capital \(K\).*\(B, 2010\) = 0/);
  });
});
