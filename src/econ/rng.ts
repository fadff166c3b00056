// A small seeded PRNG for every simulation in flow (bootstrap, effect draws).
// xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32: fast, 32-bit
// integer arithmetic only, so the stream is identical on every platform and run.

export interface Rng {
  /** uniform on [0, 1) with 53 random bits */
  uniform(): number;
  /** standard normal (Marsaglia polar method) */
  normal(): number;
  /** integer uniform on 0..n-1 */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A deterministic generator from an integer seed. */
export function makeRng(seed: number): Rng {
  const sm = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  let a = sm(), b = sm(), c = sm(), d = sm();
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    return result;
  };
  let spare: number | null = null;
  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  return {
    uniform,
    normal() {
      if (spare !== null) { const s = spare; spare = null; return s; }
      let u: number, v: number, s: number;
      do { u = 2 * uniform() - 1; v = 2 * uniform() - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
      const m = Math.sqrt(-2 * Math.log(s) / s);
      spare = v * m;
      return u * m;
    },
    int(n: number) { return Math.floor(uniform() * n); },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
