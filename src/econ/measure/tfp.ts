// Solow residual (METHOD 1.8): ln TFP = ln Y - alpha ln K - (1 - alpha) ln L.

export function solowResidual(Y: Float64Array, K: Float64Array, L: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(Y.length);
  for (let i = 0; i < Y.length; i++) out[i] = Math.log(Y[i]) - alpha * Math.log(K[i]) - (1 - alpha) * Math.log(L[i]);
  return out;
}
