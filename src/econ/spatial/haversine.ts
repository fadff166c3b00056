// Great-circle distance on a sphere of the mean Earth radius (IUGG, 6371.0088 km).
// The haversine form keeps its digits for nearby points, where the spherical law of
// cosines loses them.
export const EARTH_RADIUS_KM = 6371.0088;

const RAD = Math.PI / 180;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** n x n distance matrix (km), row-major, zero diagonal. */
export function distanceMatrix(lat: ArrayLike<number>, lon: ArrayLike<number>): Float64Array {
  const n = lat.length;
  const d = new Float64Array(n * n);
  // the per-unit trigonometry once (n^2 / 2 pairs at N = 1000)
  const phi = Float64Array.from(lat, (v) => v * RAD);
  const lam = Float64Array.from(lon, (v) => v * RAD);
  const cosPhi = phi.map(Math.cos);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = Math.sin((phi[j] - phi[i]) / 2), b = Math.sin((lam[j] - lam[i]) / 2);
      const s = a * a + cosPhi[i] * cosPhi[j] * b * b;
      const v = 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)));
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return d;
}
