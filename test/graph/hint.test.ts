// "did you mean" hints: the bounded edit distance equals the full dynamic programme (written
// out here independently, a whole table) wherever that is within the limit, and a 1 MB name
// costs no table of its size.
import { describe, it, expect } from 'vitest';
import { editDistance, closest } from '../../src/graph/load.js';

/** Optimal string alignment distance, the textbook full table. */
function fullTable(a: string, b: string): number {
  const m = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    m[i][j] = Math.min(m[i - 1][j] + 1, m[i][j - 1] + 1, m[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) m[i][j] = Math.min(m[i][j], m[i - 2][j - 2] + 1);
  }
  return m[a.length][b.length];
}

describe('did-you-mean hints', () => {
  it('editDistance is the full table distance when within the limit, else Infinity (5,000 seeded pairs)', () => {
    let s = 7;
    const r = () => (s = (s * 48271) % 2147483647) / 2147483647;
    const word = () => Array.from({ length: Math.floor(r() * 9) }, () => 'abc'[Math.floor(r() * 3)]).join('');
    for (let t = 0; t < 5000; t++) {
      const a = word(), b = word(), lim = Math.floor(r() * 6), d = fullTable(a, b);
      expect(editDistance(a, b, lim)).toBe(d <= lim ? d : Infinity);
    }
  });

  it('keeps the hints it gave', () => {
    expect(closest('fe-ol', ['fe', 'fe-ols', 'iv', 'sdm'])).toEqual(['fe-ols', 'fe']);
    expect(closest('delat', ['delta', 'seed'])).toEqual(['delta']);
    expect(closest('nodez', ['nodes', 'params'])).toEqual(['nodes']);
  });

  it('gives no hint for a 1 MB name and does no quadratic work for it', () => {
    const before = process.memoryUsage().heapUsed;
    expect(closest('x'.repeat(1_000_000), ['fe', 'load-csv', 'x'.repeat(50)])).toEqual([]);
    // the old full table was 1e6 x 9 boxed numbers per known name (~950 MB); a few MB here
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50e6);
  });
});
