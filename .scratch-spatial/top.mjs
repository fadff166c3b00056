import { readFileSync, readdirSync } from 'node:fs';
const f = readdirSync('.').find(x=>x.endsWith('.cpuprofile'));
const p = JSON.parse(readFileSync(f,'utf8'));
const self = new Map(); const dt = p.timeDeltas; const byId = new Map(p.nodes.map(n=>[n.id,n]));
p.samples.forEach((s,i)=>{ const n=byId.get(s); const k=n.callFrame.functionName+' '+n.callFrame.url.split('/').pop()+':'+n.callFrame.lineNumber; self.set(k,(self.get(k)||0)+(dt[i]||0)); });
[...self.entries()].sort((a,b)=>b[1]-a[1]).slice(0,15).forEach(([k,v])=>console.log((v/1000).toFixed(0),k));
