import { readFileSync } from 'node:fs';
import { prepareW } from '../src/econ/spatial/setup.ts';
import { fitSpatialPanel } from '../src/econ/spatial/ml.ts';
import { spatialEffects } from '../src/econ/spatial/effects.ts';
const ref = JSON.parse(readFileSync('test/fixtures/produc_sar.json','utf8'));
const lines = readFileSync('test/fixtures/produc.csv','utf8').trim().split('\n').slice(1).map(l=>l.split(','));
const order = readFileSync('test/fixtures/usaww_order.txt','utf8').trim().split('\n');
const wrows = readFileSync('test/fixtures/usaww.csv','utf8').trim().split('\n').map(l=>l.split(',').map(Number));
const n = order.length; const w = new Float64Array(n*n); wrows.forEach((r,i)=>r.forEach((v,j)=>w[i*n+j]=v));
const years = [...new Set(lines.map(l=>+l[1]))].sort(); const T = years.length;
const idx = (s:string,y:number)=> years.indexOf(y)*n + order.indexOf(JSON.parse(s));
const y = new Float64Array(n*T); const X = [0,1,2,3].map(()=>new Float64Array(n*T));
for (const l of lines) { const r = idx(l[0], +l[1]); y[r]=Math.log(+l[8]); X[0][r]=Math.log(+l[3]); X[1][r]=Math.log(+l[7]); X[2][r]=Math.log(+l[9]); X[3][r]=+l[10]; }
const setup = prepareW(w, n);
console.log(setup.route, setup.interval, setup.rowStochastic);
const names=['lpcap','lpc','lemp','unemp'];
for (const [key, fe] of [['sar_individual','individual'],['sar_twoways','twoways']] as const) {
  const f = fitSpatialPanel({ n, T, y, X, wx: [], fe, leeYu: false, setup });
  const R = ref[key];
  const rel = (a:number,b:number)=>Math.abs(a-b)/Math.abs(b);
  let m = {rho: rel(f.rho,R.rho), sigma2: rel(f.sigma2,R.sigma2), ll: rel(f.loglik,R.logLik)} as any;
  m.beta = Math.max(...names.map((nm,k)=>rel(f.coef[k],R.beta[nm])));
  const P=6; const se = (i:number)=>Math.sqrt(f.vcov[i*P+i]);
  m.se = Math.max(...names.map((nm,k)=>rel(se(k),R.se_analytical[nm])), rel(se(4),R.se_analytical.rho), rel(se(5), R.se_analytical.sigma2));
  const all=[...names,'rho','sigma2']; let mv=0; all.forEach((a,i)=>all.forEach((b,j)=>mv=Math.max(mv, rel(f.vcov[i*P+j], R.vcov_analytical[a][b])))); m.vcov=mv;
  const V = new Float64Array(25); for (let i=0;i<5;i++) for (let j=0;j<5;j++) V[i*5+j]=f.vcov[i*P+j];
  const eff = spatialEffects({ setup, inverse: f.inverse, rho: f.rho, xNames: names, beta: f.coef.slice(0,4), theta: new Float64Array(4), thetaIndex: [null,null,null,null], vcov: V, draws: 1000, seed: 1 });
  let mp=0, ms=0; for (const kind of ['direct','indirect','total'] as const) eff[kind].forEach((r,k)=>{ mp=Math.max(mp, rel(r.estimate, R.impacts_point[names[k]][kind])); ms=Math.max(ms, rel(r.std_error, R.impacts_sim_sd[names[k]][kind])); });
  m.effPoint=mp; m.effSd=ms; m.r2=f.r2; m.r2w=f.r2Within; m.evals=f.evaluations;
  console.log(key, m, f.timings);
}
