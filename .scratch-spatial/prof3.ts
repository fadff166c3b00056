const n=1000, k=10;
const rowPtr = new Int32Array(n+1), col = new Int32Array(n*k), val = new Float64Array(n*k).fill(0.1);
for (let i=0;i<n;i++){ rowPtr[i+1]=(i+1)*k; for (let r=0;r<k;r++) col[i*k+r]=(i*7+r*131)%n; }
const a = new Float64Array(n*n).map(()=>Math.random()); const out = new Float64Array(n*n);
function v1(){ out.fill(0); for (let i=0;i<n;i++){ const o=out.subarray(i*n,i*n+n); for (let p=rowPtr[i];p<rowPtr[i+1];p++){ const wv=val[p]; const src=a.subarray(col[p]*n,col[p]*n+n); for (let j=0;j<n;j++) o[j]+=wv*src[j]; } } }
function v2(){ out.fill(0); for (let i=0;i<n;i++){ const oo=i*n; for (let p=rowPtr[i];p<rowPtr[i+1];p++){ const wv=val[p]; const so=col[p]*n; for (let j=0;j<n;j++) out[oo+j]+=wv*a[so+j]; } } }
function v3(){ const B=128; out.fill(0); for (let j0=0;j0<n;j0+=B){ const je=Math.min(n,j0+B); for (let i=0;i<n;i++){ const oo=i*n; for (let p=rowPtr[i];p<rowPtr[i+1];p++){ const wv=val[p]; const so=col[p]*n; for (let j=j0;j<je;j++) out[oo+j]+=wv*a[so+j]; } } } }
function v4(){ for (let i=0;i<n;i++){ const oo=i*n; const p0=rowPtr[i], p1=rowPtr[i+1]; for (let j=0;j<n;j++){ let s=0; for (let p=p0;p<p1;p++) s+=val[p]*a[col[p]*n+j]; out[oo+j]=s; } } }
for (const [name,f] of [['v1',v1],['v2',v2],['v3',v3],['v4',v4],['v1',v1],['v2',v2],['v3',v3],['v4',v4]] as const){ const t=performance.now(); for (let r=0;r<5;r++) f(); console.log(name,(performance.now()-t)/5); }
