import { readFileSync } from 'node:fs';
const buf = readFileSync('/tmp/p1.csv');
function count(u8) { let c = 0; for (let i = 0; i < u8.length; i++) if (u8[i] === 10) c++; return c; }
for (let r = 0; r < 4; r++) {
let t = performance.now();
const c = count(buf);
console.log('count fn', (performance.now() - t).toFixed(0), c);
}
const f = new Float64Array(1e7); 
let t = performance.now(); let s = 0; for (let r=0;r<10;r++) for (let i = 0; i < f.length; i++) s += f[i];
console.log('sum 1e8 f64', (performance.now() - t).toFixed(0));
