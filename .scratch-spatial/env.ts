import { simulateSdmPanel } from '../src/econ/spatial/simulate.ts';
import { toCsr, reverseCuthillMcKee } from '../src/econ/spatial/sparse.ts';
import { bandPattern } from '../src/econ/spatial/banded.ts';
const n = 1000;
const sim = simulateSdmPanel({ n, T: 1, k: 10, rho: 0.4, beta: [1], theta: [0.5], sigma: 1, seed: 7 });
const csr = toCsr(sim.w, n); const bp = bandPattern(csr, reverseCuthillMcKee(csr));
const first = new Int32Array(n).map((_,i)=>i), firstC = new Int32Array(n).map((_,i)=>i);
for (let p=0;p<bp.rows.length;p++){ const r=bp.rows[p], c=bp.cols[p]; if (c<r) first[r]=Math.min(first[r],c); else firstC[c]=Math.min(firstC[c],r); }
let envL=0, envU=0, cost=0; for (let i=0;i<n;i++){ envL+=i-first[i]; envU+=i-firstC[i]; }
// symmetric envelope approx: profile LU cost ~ sum over k of rows(k)*cols(k)
console.log('band', bp.lower, bp.upper, 'avg env L', envL/n, 'avg env U', envU/n);
