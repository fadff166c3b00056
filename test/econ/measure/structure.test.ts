import { describe, it, expect } from 'vitest';
import { structureIndices } from '../../../src/econ/measure/structure.js';

// Two cities, three sectors.
// City A: Y = (10, 40, 50) sum 100; L = (20, 40, 40) sum 100; lp = (0.5, 1, 1.25)
// City B: Y = (20, 60, 120) sum 200; L = (40, 20, 40) sum 100; lp = (0.5, 3, 3)
const va = [Float64Array.from([10, 20]), Float64Array.from([40, 60]), Float64Array.from([50, 120])];
const emp = [Float64Array.from([20, 40]), Float64Array.from([40, 20]), Float64Array.from([40, 40])];

describe('structureIndices', () => {
  it('RIS = 1 - (1/3) sum_j |Y_j/Y - L_j/L|', () => {
    const { ris } = structureIndices(va, emp, { kind: 'minmax' });
    // A: |0.1-0.2| + |0.4-0.4| + |0.5-0.4| = 0.2 -> 1 - 0.2/3
    // B: |0.1-0.4| + |0.3-0.2| + |0.6-0.4| = 0.6 -> 1 - 0.6/3 = 0.8
    expect(ris[0]).toBeCloseTo(1 - 0.2 / 3, 14);
    expect(ris[1]).toBeCloseTo(0.8, 14);
  });

  it("AIS(lpStandard='minmax') is NaN when a sector's productivity is flat (the node reports it as an error)", () => {
    const { ais, lpRange } = structureIndices(va, emp, { kind: 'minmax' });
    // sector 1: lp 0.5 in both cities -> max - min = 0
    expect(lpRange.low).toEqual([0.5, 1, 1.25]);
    expect(lpRange.high).toEqual([0.5, 3, 3]);
    expect(Number.isNaN(ais[0])).toBe(true);
  });

  it("AIS(lpStandard='minmax') on a 2-city example computed by hand", () => {
    // City B sector-1 employment changed to 20: lp1 = 20/20 = 1; L_B = (20, 20, 40)
    const empB = [Float64Array.from([20, 20]), emp[1], emp[2]];
    const { ais } = structureIndices(va, empB, { kind: 'minmax' });
    // std lp: sector1 (0.5 -> 0, 1 -> 1), sector2 (1 -> 0, 3 -> 1), sector3 (1.25 -> 0, 3 -> 1)
    // A: 0.1*0 + 0.4*0 + 0.5*0 = 0;  B: 0.1*1 + 0.3*1 + 0.6*1 = 1
    expect(ais[0]).toBeCloseTo(0, 14);
    expect(ais[1]).toBeCloseTo(1, 14);
  });

  it("AIS(lpStandard='benchmark') uses (lp - start) / (end - start)", () => {
    const { ais } = structureIndices(va, emp, { kind: 'benchmark', start: [0, 0, 0], end: [1, 4, 5] });
    // A: 0.1*(0.5/1) + 0.4*(1/4) + 0.5*(1.25/5) = 0.05 + 0.1 + 0.125 = 0.275
    // B: 0.1*(0.5/1) + 0.3*(3/4) + 0.6*(3/5) = 0.05 + 0.225 + 0.36 = 0.635
    expect(ais[0]).toBeCloseTo(0.275, 14);
    expect(ais[1]).toBeCloseTo(0.635, 14);
  });

  it('gives missing indices for a row with a missing input and leaves it out of the range', () => {
    const va2 = va.map((x) => Float64Array.from([...x, NaN]));
    const emp2 = emp.map((x) => Float64Array.from([...x, 1]));
    const { ris, ais, lpRange } = structureIndices(va2, emp2, { kind: 'minmax' });
    expect(Number.isNaN(ris[2]) && Number.isNaN(ais[2])).toBe(true);
    expect(lpRange.high).toEqual([0.5, 3, 3]);
  });
});
