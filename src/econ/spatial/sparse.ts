// Compressed sparse rows of a dense W: spatial lags, powers and orderings touch only
// the nonzeros (a kNN W at N = 1000, k = 10 has 1% of them).

export interface Csr {
  n: number;
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

export function toCsr(data: Float64Array, n: number): Csr {
  let nnz = 0;
  for (let i = 0; i < n * n; i++) if (data[i] !== 0) nnz++;
  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let p = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = p;
    for (let j = 0; j < n; j++) {
      const w = data[i * n + j];
      if (w !== 0) { col[p] = j; val[p] = w; p++; }
    }
  }
  rowPtr[n] = p;
  return { n, rowPtr, col, val };
}

/** out = W x (x, out of length n, distinct). */
export function csrMatVec(w: Csr, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void {
  const { n, rowPtr, col, val } = w;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) s += val[p] * x[xOff + col[p]];
    out[outOff + i] = s;
  }
}

/** W B for a dense row-major n x n B: each output row is a weighted sum of k rows of B. */
export function csrMatDense(w: Csr, b: Float64Array, out: Float64Array): void {
  const { n, rowPtr, col, val } = w;
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const o = out.subarray(i * n, i * n + n);
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const wv = val[p];
      const src = b.subarray(col[p] * n, col[p] * n + n);
      for (let j = 0; j < n; j++) o[j] += wv * src[j];
    }
  }
}

/**
 * Reverse Cuthill-McKee ordering of the symmetrised pattern of W: breadth-first from a
 * low-degree node, neighbours by increasing degree, reversed. It gathers the nonzeros
 * near the diagonal so that an envelope LU of I - rho W costs far less than n^3.
 * Returns perm with perm[newIndex] = oldIndex.
 */
export function reverseCuthillMcKee(w: Csr): Int32Array {
  const n = w.n;
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let p = w.rowPtr[i]; p < w.rowPtr[i + 1]; p++) {
      const j = w.col[p];
      if (j !== i) { adj[i].push(j); adj[j].push(i); }
    }
  }
  for (let i = 0; i < n; i++) adj[i] = [...new Set(adj[i])];
  const deg = adj.map((a) => a.length);
  for (const a of adj) a.sort((x, y) => deg[x] - deg[y] || x - y);
  const order: number[] = [];
  const seen = new Uint8Array(n);
  const byDegree = Array.from({ length: n }, (_, i) => i).sort((x, y) => deg[x] - deg[y] || x - y);
  for (const start of byDegree) {
    if (seen[start]) continue;
    // a pseudo-peripheral start: the last node of a BFS from the lowest-degree node
    let root = start;
    for (let pass = 0; pass < 2; pass++) {
      const lvl = bfsOrder(root, adj, seen.slice());
      root = lvl[lvl.length - 1];
    }
    for (const v of bfsOrder(root, adj, seen)) order.push(v);
  }
  order.reverse();
  return Int32Array.from(order);
}

function bfsOrder(root: number, adj: number[][], seen: Uint8Array): number[] {
  const out = [root];
  seen[root] = 1;
  for (let h = 0; h < out.length; h++) {
    for (const v of adj[out[h]]) if (!seen[v]) { seen[v] = 1; out.push(v); }
  }
  return out;
}

/** W' in compressed rows (columns ascending). */
export function csrTranspose(w: Csr): Csr {
  const { n, rowPtr, col, val } = w;
  const nnz = rowPtr[n];
  const tPtr = new Int32Array(n + 1);
  for (let p = 0; p < nnz; p++) tPtr[col[p] + 1]++;
  for (let i = 0; i < n; i++) tPtr[i + 1] += tPtr[i];
  const next = tPtr.slice(0, n);
  const tCol = new Int32Array(nnz), tVal = new Float64Array(nnz);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) { const q = next[col[p]]++; tCol[q] = i; tVal[q] = val[p]; }
  }
  return { n, rowPtr: tPtr, col: tCol, val: tVal };
}

/**
 * Y = W X for a block of b vectors stored interleaved (X[j b + r] is entry j of vector r):
 * each non-zero of W is read once for all b vectors, which is 2-3x faster than b products.
 */
export function csrMatBlock(w: Csr, x: Float64Array, y: Float64Array, b: number): void {
  const { n, rowPtr, col, val } = w;
  for (let i = 0; i < n; i++) {
    const o = i * b;
    for (let r = 0; r < b; r++) y[o + r] = 0;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const v = val[p], c = col[p] * b;
      for (let r = 0; r < b; r++) y[o + r] += v * x[c + r];
    }
  }
}

/** Interleaves b stacked vectors (v[r n + j]) into X[j b + r], and back. */
export function interleave(v: Float64Array, n: number, b: number): Float64Array {
  const x = new Float64Array(n * b);
  for (let r = 0; r < b; r++) for (let j = 0; j < n; j++) x[j * b + r] = v[r * n + j];
  return x;
}

export function deinterleave(x: Float64Array, n: number, b: number): Float64Array {
  const v = new Float64Array(n * b);
  for (let r = 0; r < b; r++) for (let j = 0; j < n; j++) v[r * n + j] = x[j * b + r];
  return v;
}
