import { describe, it, expect } from 'vitest';
import { solowResidual } from '../../../src/econ/measure/tfp.js';

const f = (...x: number[]) => Float64Array.from(x);

describe('solowResidual', () => {
  it('is ln Y - alpha ln K - (1 - alpha) ln L', () => {
    // Y = e^2, K = e^1, L = e^3, alpha 0.4: 2 - 0.4 - 0.6 * 3 = -0.2
    expect(solowResidual(f(Math.exp(2)), f(Math.E), f(Math.exp(3)), 0.4)[0]).toBeCloseTo(-0.2, 14);
  });
});
