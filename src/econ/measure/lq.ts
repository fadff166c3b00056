// Location quotient (METHOD 1.8): LQ_i = (fin_i / emp_i) / (fin_R / emp_R), where the
// reference totals are summed per period over the reference rows with both values present.

/**
 * group[i]: period index of row i (0..G-1; one group for a pooled reference);
 * inRef[i]: 1 when row i belongs to the reference region.
 */
export function locationQuotient(
  fin: Float64Array,
  emp: Float64Array,
  group: Int32Array,
  G: number,
  inRef: Uint8Array,
): { lq: Float64Array; refShare: Float64Array } {
  const finR = new Float64Array(G);
  const empR = new Float64Array(G);
  for (let i = 0; i < fin.length; i++) {
    if (!inRef[i] || !Number.isFinite(fin[i]) || !Number.isFinite(emp[i])) continue;
    finR[group[i]] += fin[i];
    empR[group[i]] += emp[i];
  }
  const refShare = new Float64Array(G);
  for (let g = 0; g < G; g++) refShare[g] = finR[g] / empR[g];
  const lq = new Float64Array(fin.length);
  for (let i = 0; i < fin.length; i++) lq[i] = fin[i] / emp[i] / refShare[group[i]];
  return { lq, refShare };
}
