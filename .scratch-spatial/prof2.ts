import { simulateSdmPanel } from '../src/econ/spatial/simulate.ts';
import { prepareW, transpose } from '../src/econ/spatial/setup.ts';
import { csrMatDense } from '../src/econ/spatial/sparse.ts';
const n = 1000;
const sim = simulateSdmPanel({ n, T: 2, k: 10, rho: 0.4, beta: [1], theta: [0.5], sigma: 1, seed: 7 });
const setup = prepareW(sim.w, n);
const a = new Float64Array(n*n).map(()=>Math.random()); const b = new Float64Array(n*n);
for (let rep=0;rep<3;rep++){
let t = performance.now();
for (let i=0;i<10;i++) csrMatDense(setup.csr, a, b);
console.log('10 matdense', performance.now()-t); t = performance.now();
for (let i=0;i<10;i++) transpose(a, b, n);
console.log('10 transpose', performance.now()-t); t = performance.now();
let s=0; for (let i=0;i<10;i++) for (let j=0;j<n*n;j++) s+=a[j]*b[j];
console.log('10 inner', performance.now()-t); t = performance.now();
}
