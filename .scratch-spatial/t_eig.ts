import { symmetricEigenvalues } from '../src/econ/spatial/symeig.ts';
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
for (const n of [1,2,3,10,50]) {
  const a = new Float64Array(n*n);
  for (let i=0;i<n;i++) for (let j=0;j<=i;j++){ const v=Math.sin(i*7+j*3)+ (i===j?2:0); a[i*n+j]=v; a[j*n+i]=v; }
  const M = new Matrix(n,n); for (let i=0;i<n;i++) for(let j=0;j<n;j++) M.set(i,j,a[i*n+j]);
  const ref = new EigenvalueDecomposition(M,{assumeSymmetric:true}).realEigenvalues.sort((x,y)=>x-y);
  const ev = symmetricEigenvalues(a.slice(), n);
  let md=0; for (let i=0;i<n;i++) md=Math.max(md,Math.abs(ev[i]-ref[i]));
  console.log(n, md);
}
const n=1000; const a=new Float64Array(n*n); for (let i=0;i<n;i++) for (let j=0;j<=i;j++){const v=Math.random(); a[i*n+j]=v;a[j*n+i]=v;}
let t=performance.now(); symmetricEigenvalues(a,n); console.log('N=1000', performance.now()-t);
