// Industrial-structure indices over k sectors (METHOD 1.5).
// RIS = 1 - (1/k) sum_j |Y_j/Y - L_j/L|;  AIS = sum_j (Y_j/Y) x standardised(Y_j/L_j).
// Rows with any missing input give NaN and are left out of the min-max range.

export type LpStandard =
  | { kind: 'minmax' }
  /** (lp - start_j) / (end_j - start_j), Chenery-style benchmark productivities */
  | { kind: 'benchmark'; start: number[]; end: number[] };

export interface StructureResult {
  ris: Float64Array;
  ais: Float64Array;
  /** minmax: the per-sector range used; benchmark: the given start/end */
  lpRange: { low: number[]; high: number[] };
}

/** Labour productivity Y_j / L_j per sector (NaN when any input of the row is missing). */
export function labourProductivity(va: Float64Array[], emp: Float64Array[]): Float64Array[] {
  const n = va[0]?.length ?? 0;
  return va.map((y, j) => {
    const lp = new Float64Array(n);
    for (let i = 0; i < n; i++) lp[i] = y[i] / emp[j][i];
    return lp;
  });
}

export function structureIndices(va: Float64Array[], emp: Float64Array[], std: LpStandard): StructureResult {
  const k = va.length;
  const n = va[0]?.length ?? 0;
  const lp = labourProductivity(va, emp);
  const complete = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let ok = 1;
    for (let j = 0; j < k; j++) if (!Number.isFinite(va[j][i]) || !Number.isFinite(emp[j][i]) || !Number.isFinite(lp[j][i])) ok = 0;
    complete[i] = ok;
  }
  const low: number[] = [];
  const high: number[] = [];
  for (let j = 0; j < k; j++) {
    if (std.kind === 'benchmark') {
      low.push(std.start[j]);
      high.push(std.end[j]);
      continue;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) if (complete[i]) {
      if (lp[j][i] < lo) lo = lp[j][i];
      if (lp[j][i] > hi) hi = lp[j][i];
    }
    low.push(lo);
    high.push(hi);
  }
  const ris = new Float64Array(n);
  const ais = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!complete[i]) {
      ris[i] = NaN;
      ais[i] = NaN;
      continue;
    }
    let Y = 0;
    let L = 0;
    for (let j = 0; j < k; j++) {
      Y += va[j][i];
      L += emp[j][i];
    }
    let dev = 0;
    let adv = 0;
    for (let j = 0; j < k; j++) {
      const y = va[j][i] / Y;
      dev += Math.abs(y - emp[j][i] / L);
      adv += y * ((lp[j][i] - low[j]) / (high[j] - low[j]));
    }
    ris[i] = 1 - dev / k;
    ais[i] = adv;
  }
  return { ris, ais, lpRange: { low, high } };
}
