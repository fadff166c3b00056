// Node `w-matrix`: spatial weights from a units table (METHOD.md 2.3). A panel may be
// given: rows are collapsed by id (coordinates must agree; gdp is averaged, as the
// economic matrices use each unit's mean per-capita GDP). knn and inverse-distance with a
// cutoffKm come out sparse (compressed rows: county scale without an n x n anywhere).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { dataError, FlowError } from '../errors.js';
import { requireColumns, isMissing } from './columns.js';
import { buildWeightMatrix, WeightsError } from '../econ/spatial/weights.js';

export const standardizeParam = z.enum(['row', 'none', 'spectral'])
  .describe('row: rows sum to one (default); none; spectral: divide by the largest |eigenvalue|');

export const wMatrixParams = z.object({
  method: z.enum(['inverse-distance', 'knn', 'economic', 'geo-economic']).default('inverse-distance')
    .describe('inverse-distance 1/d^power; knn (k nearest, weight 1); economic 1/|gdp_i - gdp_j|; geo-economic W_d diag(gdp_j / mean gdp)'),
  power: z.number().positive().default(1).describe('distance power p of 1/d^p (inverse-distance, geo-economic)'),
  k: z.number().int().min(1).default(5).describe('neighbours per unit (knn)'),
  cutoffKm: z.number().positive().optional().describe('zero weight beyond this great-circle distance (inverse-distance, geo-economic)'),
  standardize: standardizeParam.default('row'),
  id: z.string().default('city').describe('unit id column'),
  lat: z.string().default('lat').describe('latitude column (degrees)'),
  lon: z.string().default('lon').describe('longitude column (degrees)'),
  gdp: z.string().default('gdp').describe('GDP column (economic, geo-economic); averaged over a unit\'s rows'),
}).strict();

export type WMatrixParams = z.infer<typeof wMatrixParams>;

const MSG = {
  missingCoords: (ids: string[]) => `unit(s) ${ids.join(', ')} have missing or non-numeric coordinates: add lat/lon for them or drop them.`,
  badCoords: (ids: string[]) => `unit(s) ${ids.join(', ')} have coordinates out of range (lat in [-90, 90], lon in [-180, 360]): are lat and lon swapped?`,
  moving: (ids: string[]) => `unit(s) ${ids.join(', ')} have different coordinates in different rows: one location per unit is needed.`,
  missingGdp: (ids: string[]) => `unit(s) ${ids.join(', ')} have no gdp value: the economic weights need one for every unit.`,
  missingId: 'the units table has rows with a missing id: drop them upstream.',
} as const;

const list = (ids: string[]) => (ids.length > 8 ? [...ids.slice(0, 8), `and ${ids.length - 8} more`] : ids);

export function buildWMatrix(units: ColumnTable, p: WMatrixParams, node = 'w-matrix'): IdMatrix {
  const needCoords = p.method !== 'economic';
  const needGdp = p.method === 'economic' || p.method === 'geo-economic';
  requireColumns(units, [p.id, ...(needCoords ? [p.lat, p.lon] : []), ...(needGdp ? [p.gdp] : [])], 'units', node);
  const idCol = units.array(p.id) as ArrayLike<unknown>;
  const num = (col: string) => {
    const a = units.array(col) as ArrayLike<unknown>;
    return (r: number) => { const v = a[r]; return typeof v === 'number' ? v : isMissing(v) ? NaN : Number(v); };
  };
  const lat = needCoords ? num(p.lat) : null, lon = needCoords ? num(p.lon) : null, gdp = needGdp ? num(p.gdp) : null;
  const index = new Map<string, number>();
  const ids: string[] = [];
  const la: number[] = [], lo: number[] = [], gSum: number[] = [], gN: number[] = [];
  const moving = new Set<string>();
  for (let r = 0; r < units.numRows(); r++) {
    if (isMissing(idCol[r])) throw dataError(MSG.missingId, { node });
    const key = String(idCol[r]);
    let u = index.get(key);
    if (u === undefined) { u = ids.length; index.set(key, u); ids.push(key); la.push(NaN); lo.push(NaN); gSum.push(0); gN.push(0); }
    if (lat && lon) {
      const a = lat(r), b = lon(r);
      if (Number.isFinite(a) && Number.isFinite(b)) {
        if (Number.isNaN(la[u])) { la[u] = a; lo[u] = b; }
        else if (Math.abs(la[u] - a) > 1e-9 || Math.abs(lo[u] - b) > 1e-9) moving.add(key);
      }
    }
    if (gdp) { const g = gdp(r); if (Number.isFinite(g)) { gSum[u] += g; gN[u]++; } }
  }
  if (needCoords) {
    const miss = ids.filter((_, u) => Number.isNaN(la[u]));
    if (miss.length) throw dataError(MSG.missingCoords(list(miss)), { node });
    if (moving.size) throw dataError(MSG.moving(list([...moving])), { node });
    const out = ids.filter((_, u) => Math.abs(la[u]) > 90 || lo[u] < -180 || lo[u] > 360);
    if (out.length) throw dataError(MSG.badCoords(list(out)), { node });
  }
  if (needGdp) {
    const miss = ids.filter((_, u) => gN[u] === 0);
    if (miss.length) throw dataError(MSG.missingGdp(list(miss)), { node });
  }
  const n = ids.length;
  try {
    const built = buildWeightMatrix(
      {
        ids,
        lat: Float64Array.from(needCoords ? la : new Array(n).fill(0)),
        lon: Float64Array.from(needCoords ? lo : new Array(n).fill(0)),
        gdp: needGdp ? Float64Array.from(gSum.map((s, u) => s / gN[u])) : undefined,
      },
      { method: p.method, power: p.power, k: p.k, cutoffKm: p.cutoffKm, standardize: p.standardize },
    );
    const meta: Record<string, unknown> = { method: p.method, standardize: p.standardize };
    if (p.method === 'knn') meta.k = p.k;
    if (p.method === 'inverse-distance' || p.method === 'geo-economic') {
      meta.power = p.power;
      if (p.cutoffKm !== undefined) meta.cutoffKm = p.cutoffKm;
    }
    return built.sparse ? { ids, n, sparse: built.sparse, meta } : { ids, n, data: built.data!, meta };
  } catch (e) {
    if (e instanceof WeightsError) throw new FlowError('data', e.message, { node }, e);
    throw e;
  }
}

export const wMatrixNode = defineNode({
  type: 'w-matrix',
  version: 1,
  description: 'Spatial weights from unit coordinates (great-circle distances) or GDP: inverse-distance, knn, economic, geo-economic; zero diagonal; row-standardised by default',
  params: wMatrixParams,
  inputs: { units: { type: 'table', description: 'one row per unit (or a panel): id, lat, lon, optional gdp' } },
  outputs: { matrix: { type: 'matrix' } },
  run({ params, inputs, nodeId }) {
    return { matrix: buildWMatrix(inputs.units as ColumnTable, params, nodeId) };
  },
});
