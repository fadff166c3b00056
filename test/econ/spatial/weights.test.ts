import { describe, it, expect } from 'vitest';
import { haversineKm } from '../../../src/econ/spatial/haversine.js';
import { buildWeights, standardizeWeights, spectralRadius, WeightsError, type Units } from '../../../src/econ/spatial/weights.js';
import { symmetricScaling } from '../../../src/econ/spatial/similarity.js';

// five cities of the Yangtze River Delta (approximate coordinates)
const units: Units = {
  ids: ['Shanghai', 'Nanjing', 'Hangzhou', 'Suzhou', 'Hefei'],
  lat: Float64Array.from([31.23, 32.06, 30.27, 31.3, 31.82]),
  lon: Float64Array.from([121.47, 118.8, 120.15, 120.62, 117.23]),
  gdp: Float64Array.from([15.5, 14.1, 13.5, 16.2, 11.0]),
};
const n = units.ids.length;
const row = (w: Float64Array, i: number) => Array.from(w.subarray(i * n, i * n + n));

describe('haversine', () => {
  it('gives the great-circle distance: London-Paris is ~343.5 km', () => {
    expect(haversineKm(51.5074, -0.1278, 48.8566, 2.3522)).toBeCloseTo(343.5, 0);
  });
  it('is zero for a point and itself and symmetric', () => {
    expect(haversineKm(31, 121, 31, 121)).toBe(0);
    expect(haversineKm(31, 121, 32, 118)).toBeCloseTo(haversineKm(32, 118, 31, 121), 12);
  });
});

describe('buildWeights', () => {
  it('inverse-distance: zero diagonal, rows sum to one, nearer units weigh more', () => {
    const w = buildWeights(units, { method: 'inverse-distance', power: 1, k: 0, standardize: 'row' });
    for (let i = 0; i < n; i++) {
      expect(w[i * n + i]).toBe(0);
      expect(row(w, i).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
    // Suzhou is Shanghai's nearest neighbour
    const r0 = row(w, 0);
    expect(r0.indexOf(Math.max(...r0))).toBe(3);
  });

  it('inverse-distance with power 2 and no standardisation is 1/d^2', () => {
    const w = buildWeights(units, { method: 'inverse-distance', power: 2, k: 0, standardize: 'none' });
    const d = haversineKm(units.lat[0], units.lon[0], units.lat[1], units.lon[1]);
    expect(w[1]).toBeCloseTo(1 / d ** 2, 15);
  });

  it('a cutoff that leaves a unit without neighbours is an error naming it', () => {
    // Hefei is > 150 km from everyone
    expect(() => buildWeights(units, { method: 'inverse-distance', power: 1, k: 0, cutoffKm: 150, standardize: 'row' }))
      .toThrow(/Hefei.*no neighbours/);
  });

  it('knn: exactly k neighbours per row, weight 1/k after standardisation', () => {
    const w = buildWeights(units, { method: 'knn', power: 1, k: 2, standardize: 'row' });
    for (let i = 0; i < n; i++) {
      const r = row(w, i);
      expect(r.filter((v) => v > 0)).toEqual([0.5, 0.5]);
      expect(r[i]).toBe(0);
    }
    expect(symmetricScaling(w, n)).toBeNull(); // kNN is not symmetric-similar in general
  });

  it('economic: 1/|gdp_i - gdp_j|, similar to a symmetric matrix', () => {
    const w = buildWeights(units, { method: 'economic', power: 1, k: 0, standardize: 'none' });
    expect(w[0 * n + 1]).toBeCloseTo(1 / Math.abs(15.5 - 14.1), 14);
    expect(w[1 * n + 0]).toBe(w[0 * n + 1]);
  });

  it('geo-economic: W_d diag(gdp_j / mean gdp), then rows sum to one; similar to a symmetric matrix', () => {
    const wd = buildWeights(units, { method: 'inverse-distance', power: 1, k: 0, standardize: 'none' });
    const w = buildWeights(units, { method: 'geo-economic', power: 1, k: 0, standardize: 'row' });
    const mean = units.gdp!.reduce((a, b) => a + b, 0) / n;
    const raw = (i: number, j: number) => (wd[i * n + j] * units.gdp![j]) / mean;
    const s0 = [0, 1, 2, 3, 4].reduce((a, j) => a + raw(0, j), 0);
    expect(w[0 * n + 2]).toBeCloseTo(raw(0, 2) / s0, 14);
    expect(symmetricScaling(w, n)).not.toBeNull();
  });

  it('spectral standardisation makes the largest |eigenvalue| one', () => {
    const w = buildWeights(units, { method: 'inverse-distance', power: 1, k: 0, standardize: 'spectral' });
    expect(spectralRadius(w, n)).toBeCloseTo(1, 10);
    const k = buildWeights(units, { method: 'knn', power: 1, k: 2, standardize: 'spectral' });
    expect(spectralRadius(k, n)).toBeCloseTo(1, 8);
  });

  it('coincident units and equal gdp are errors naming both units', () => {
    const twin = { ...units, lat: Float64Array.from([31.23, 31.23, 30.27, 31.3, 31.82]), lon: Float64Array.from([121.47, 121.47, 120.15, 120.62, 117.23]) };
    expect(() => buildWeights(twin, { method: 'inverse-distance', power: 1, k: 0, standardize: 'row' })).toThrow(/Shanghai.*Nanjing/);
    const same = { ...units, gdp: Float64Array.from([1, 2, 3, 3, 5]) };
    expect(() => buildWeights(same, { method: 'economic', power: 1, k: 0, standardize: 'row' })).toThrow(/Hangzhou.*Suzhou/);
  });

  it('standardizeWeights rejects NaN and zero rows, naming the units', () => {
    const w = new Float64Array([0, 1, 1, 0]);
    expect(() => standardizeWeights(Float64Array.from([0, NaN, 1, 0]), 2, 'row', ['a', 'b'])).toThrow(WeightsError);
    expect(() => standardizeWeights(Float64Array.from([0, NaN, 1, 0]), 2, 'row', ['a', 'b'])).toThrow(/a/);
    expect(() => standardizeWeights(Float64Array.from([0, 0, 1, 0]), 2, 'row', ['a', 'b'])).toThrow(/a have no neighbours/);
    expect(Array.from(standardizeWeights(w, 2, 'row', ['a', 'b']))).toEqual([0, 1, 1, 0]);
  });
});
