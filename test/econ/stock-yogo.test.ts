import { describe, it, expect } from 'vitest';
import { stockYogoSize, stockYogoBias } from '../../src/econ/stock-yogo.js';

describe('Stock-Yogo (2005) critical values', () => {
  it('Table 5.2, one endogenous regressor and one instrument: 16.38 / 8.96 / 6.66 / 5.53', () => {
    expect(stockYogoSize(1, 1)).toEqual({ '10%': 16.38, '15%': 8.96, '20%': 6.66, '25%': 5.53 });
  });
  it('Table 5.2 further rows: (1, 2), (2, 2), (2, 30)', () => {
    expect(stockYogoSize(1, 2)!['10%']).toBe(19.93);
    expect(stockYogoSize(2, 2)).toEqual({ '10%': 7.03, '15%': 4.58, '20%': 3.95, '25%': 3.63 });
    expect(stockYogoSize(2, 30)!['25%']).toBe(18.35);
  });
  it('Table 5.1 relative bias: (1, 3) = 13.91 / 9.08 / 6.46 / 5.39; (3, 5) 5% = 9.53', () => {
    expect(stockYogoBias(1, 3)).toEqual({ '5%': 13.91, '10%': 9.08, '20%': 6.46, '30%': 5.39 });
    expect(stockYogoBias(3, 5)!['5%']).toBe(9.53);
    expect(stockYogoBias(2, 4)!['10%']).toBe(7.56);
  });
  it('is null outside the published tables', () => {
    expect(stockYogoSize(3, 4)).toBeNull();
    expect(stockYogoSize(1, 31)).toBeNull();
    expect(stockYogoBias(1, 2)).toBeNull();
    expect(stockYogoSize(2, 1)).toBeNull();
  });
});
