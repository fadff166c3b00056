import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { pca } from '../../../src/econ/measure/pca.js';

const here = new URL('../../fixtures/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('pca_usarrests.json', here), 'utf8')).pca;
const lines = readFileSync(new URL('usarrests.csv', here), 'utf8').trim().split('\n').slice(1);
const vars = ['Murder', 'Assault', 'UrbanPop', 'Rape'];
const X = vars.map((_, j) => Float64Array.from(lines, (l) => Number(l.split(',')[j + 1])));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('pca (prcomp(USArrests, scale. = TRUE))', () => {
  const res = pca(X);
  const pcs = ['PC1', 'PC2', 'PC3', 'PC4'];

  it('reproduces sdev, variance explained, center and scale to 1e-6 relative', () => {
    pcs.forEach((pc, c) => {
      expect(rel(res.sdev[c], ref.sdev[pc])).toBeLessThan(1e-6);
      expect(rel(res.varianceExplained[c], ref.variance_explained[pc])).toBeLessThan(1e-6);
    });
    vars.forEach((v, j) => {
      expect(rel(res.center[j], ref.center[v])).toBeLessThan(1e-6);
      expect(rel(res.scale[j], ref.scale[v])).toBeLessThan(1e-6);
    });
  });

  it('reproduces the rotation and the first five scores up to the sign of each column', () => {
    pcs.forEach((pc, c) => {
      const sign = Math.sign(res.rotation[0][c]) * Math.sign(ref.rotation.Murder[pc]);
      vars.forEach((v, j) => expect(rel(sign * res.rotation[j][c], ref.rotation[v][pc])).toBeLessThan(1e-6));
      Object.values(ref.scores_first5).forEach((row: any, i) => expect(rel(sign * res.scores[c][i], row[pc])).toBeLessThan(1e-6));
    });
  });

  it('fixes the sign so that the first indicator loads positively on every component', () => {
    for (let c = 0; c < 4; c++) expect(res.rotation[0][c]).toBeGreaterThan(0);
  });
});
