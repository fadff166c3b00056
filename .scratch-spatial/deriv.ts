import { readFileSync } from 'node:fs';
import { prepareW } from '../src/econ/spatial/setup.ts';
import { demean, spatialLag } from '../src/econ/spatial/panel.ts';
import { cholesky, choleskySolve, crossprod, crossprodVec } from '../src/econ/linalg.ts';
const ref = JSON.parse(readFileSync('test/fixtures/produc_sar.json','utf8'));
const lines = readFileSync('test/fixtures/produc.csv','utf8').trim().split('\n').slice(1).map(l=>l.split(','));
const order = readFileSync('test/fixtures/usaww_order.txt','utf8').trim().split('\n');
const wrows = readFileSync('test/fixtures/usaww.csv','utf8').trim().split('\n').map(l=>l.split(',').map(Number));
const n = order.length; const w = new Float64Array(n*n); wrows.forEach((r,i)=>r.forEach((v,j)=>w[i*n+j]=v));
const years = [...new Set(lines.map(l=>+l[1]))].sort(); const T = years.length;
const idx = (s:string,y:number)=> years.indexOf(y)*n + order.indexOf(JSON.parse(s));
const y = new Float64Array(n*T); const X = [0,1,2,3].map(()=>new Float64Array(n*T));
for (const l of lines) { const r = idx(l[0], +l[1]); y[r]=Math.log(+l[8]); X[0][r]=Math.log(+l[3]); X[1][r]=Math.log(+l[7]); X[2][r]=Math.log(+l[9]); X[3][r]=+l[10]; }
const setup = prepareW(w, n); const ev = setup.eigenvalues!;
for (const [key, fe] of [['sar_individual','individual'],['sar_twoways','twoways']] as const) {
  const Z = X.map(c=>demean(c,n,T,fe)); const yd=demean(y,n,T,fe); const wyd=demean(spatialLag(setup.csr,y,T),n,T,fe);
  const L = cholesky(crossprod(Z),4)!; const b0=choleskySolve(L,4,crossprodVec(Z,yd)); const b1=choleskySolve(L,4,crossprodVec(Z,wyd));
  const res=(v:Float64Array,b:Float64Array)=>v.map((x,i)=>x-Z.reduce((s,z,k)=>s+z[i]*b[k],0));
  const e0=res(yd,b0), e1=res(wyd,b1); const d=(a:Float64Array,b:Float64Array)=>a.reduce((s,x,i)=>s+x*b[i],0);
  const s00=d(e0,e0), s01=d(e0,e1), s11=d(e1,e1); const N=n*T;
  const g=(r:number)=>(N/2)*(-2*s01+2*r*s11)/(s00-2*r*s01+r*r*s11) + T*ev.reduce((s,l)=>s+l/(1-r*l),0);
  const h=(r:number)=>{const q=s00-2*r*s01+r*r*s11, qp=-2*s01+2*r*s11; return (N/2)*(2*s11*q-qp*qp)/(q*q) + T*ev.reduce((s,l)=>s+l*l/(1-r*l)**2,0);};
  let r = ref[key].rho; console.log(key, 'deriv at R rho', g(r));
  for (let i=0;i<4;i++) { r = r - g(r)/h(r); }
  console.log('newton rho', r, 'rel vs R', (r-ref[key].rho)/ref[key].rho, g(r));
}
