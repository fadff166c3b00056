// Allocating a provincial sector figure to cities by the city's share of the province
// in a broader sector (METHOD 1.2): x_city = (broad_city / broad_prov) x narrow_prov.

/**
 * share_i = cityBroad_i / provBroad_i, or 1 where `whole[i]` (a city that is its own
 * province, e.g. Shanghai); out_i = share_i x provNarrow_i.
 */
export function allocateShare(
  cityBroad: Float64Array,
  provBroad: Float64Array,
  provNarrow: Float64Array,
  whole: Uint8Array,
): { share: Float64Array; value: Float64Array } {
  const n = cityBroad.length;
  const share = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    share[i] = whole[i] ? 1 : cityBroad[i] / provBroad[i];
    value[i] = share[i] * provNarrow[i];
  }
  return { share, value };
}
