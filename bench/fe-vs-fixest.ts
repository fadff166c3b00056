// Two-way FE from a CSV file to clustered standard errors, flow against R's fixest, as
// whole processes side by side (bench/run.ts prints the table):
//   flow:   node bin/flow.js run fe.json --cache <fresh> --no-out --json  (load-csv -> fe)
//   fixest: Rscript: data.table::fread(nThread = T) + fixest::feols(y ~ x1..x5 | id + year,
//           cluster = ~id, nthreads = T)
// T: the threads flow's kernels use (every core, at most 8: src/threads.ts), so both sides
// get the same (2 on the project's machine).
// Each a fresh process; for each size the two alternate (flow, fixest, flow, ...), REPS
// times; the table shows medians, the ratio of medians, peak RSS (GNU time, when
// /usr/bin/time is there) and the machine's load when the size was measured. The
// estimates and SEs of every run are compared with fixest's (relative differences).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { feProjectDir, writeFeProject, type FePanelOpts } from './data.js';
import { maxThreads } from '../src/threads.js';

const R_SCRIPT = `
suppressPackageStartupMessages({ library(data.table); library(fixest) })
args <- commandArgs(TRUE)
nt <- as.integer(args[2])
setDTthreads(nt); setFixest_nthreads(nt)
t0 <- Sys.time()
d <- fread(args[1], nThread = nt)
t1 <- Sys.time()
m <- feols(y ~ x1 + x2 + x3 + x4 + x5 | id + year, d, cluster = ~id, nthreads = nt)
t2 <- Sys.time()
f <- function(v) paste(sprintf("%.17g", v), collapse = ",")
cat(sprintf('{"read":%.4f,"fit":%.4f,"coef":[%s],"se":[%s],"fixest":"%s","R":"%s"}\\n',
  as.numeric(t1 - t0, units = "secs"), as.numeric(t2 - t1, units = "secs"), f(coef(m)), f(se(m)),
  as.character(packageVersion("fixest")), paste(R.version$major, R.version$minor, sep = ".")))
`;

export interface Run { wall: number; rssMB: number | null; coef: number[]; se: number[]; detail: string }
export interface SizeResult {
  opts: FePanelOpts; rows: number; mb: number; load: string;
  flow: Run[]; fixest: Run[] | null; error?: string;
}

const GNU_TIME = '/usr/bin/time';
const TERMS = ['x1', 'x2', 'x3', 'x4', 'x5'];

/** A child process timed by wall clock, its peak RSS from GNU time when available. */
function timed(cmd: string, args: string[], cwd: string): { wall: number; rssMB: number | null; stdout: string; ok: boolean; err: string } {
  const useTime = existsSync(GNU_TIME);
  const rssFile = join(tmpdir(), `flow-bench-rss-${process.pid}`);
  const t0 = performance.now();
  const r = useTime
    ? spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = performance.now() - t0;
  let rssMB: number | null = null;
  if (useTime) { try { rssMB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) / 1024; rmSync(rssFile); } catch { /* none */ } }
  return { wall, rssMB, stdout: r.stdout ?? '', ok: r.status === 0, err: (r.stderr ?? '').slice(-800) };
}

function flowRun(flowBin: string, wf: string, dir: string): Run {
  const cache = mkdtempSync(join(tmpdir(), 'flow-bench-cache-'));
  try {
    const t = timed(process.execPath, [flowBin, 'run', wf, '--cache', cache, '--no-out', '--json'], dir);
    const lines = t.stdout.trim().split('\n').flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
    const fe = lines.find((l) => l.node === 'fe' && l.status === 'ran');
    if (!t.ok || !fe) throw new Error(`flow run failed: ${t.err}`);
    // the model, from the cache: keys/<ab>/<rest>.json -> outputs.model.hash -> objects/<ab>/<rest>
    const rec = JSON.parse(readFileSync(join(cache, 'keys', fe.key.slice(0, 2), fe.key.slice(2) + '.json'), 'utf8'));
    const h = rec.outputs.model.hash as string;
    const model = JSON.parse(readFileSync(join(cache, 'objects', h.slice(0, 2), h.slice(2)), 'utf8'));
    const co = TERMS.map((term) => model.coefficients.find((c: { term: string }) => c.term === term));
    const nodes = lines.filter((l) => l.node).map((l) => `${l.node} ${Math.round(l.ms)}`).join(', ');
    return { wall: t.wall, rssMB: t.rssMB, coef: co.map((c) => c.estimate), se: co.map((c) => c.std_error), detail: `nodes ms: ${nodes}` };
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

function fixestRun(script: string, csv: string, dir: string): Run {
  const t = timed('Rscript', [script, csv, String(maxThreads())], dir);
  if (!t.ok) throw new Error(`Rscript failed: ${t.err}`);
  const o = JSON.parse(t.stdout.trim().split('\n').at(-1)!);
  return { wall: t.wall, rssMB: t.rssMB, coef: o.coef, se: o.se, detail: `fread ${(o.read * 1000).toFixed(0)} ms, feols ${(o.fit * 1000).toFixed(0)} ms (fixest ${o.fixest}, R ${o.R})` };
}

/** fixest (with data.table) can be run here. */
export function haveFixest(): boolean {
  const r = spawnSync('Rscript', ['-e', 'suppressPackageStartupMessages({library(data.table); library(fixest)})'], { encoding: 'utf8' });
  return r.status === 0;
}

const loadNow = () => {
  let running = '';
  try { running = readFileSync('/proc/loadavg', 'latin1').split(' ')[3]; } catch { /* not Linux */ }
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}${running ? `, runnable/threads ${running}` : ''}`;
};

/** Measure each size: generate (or reuse) the panel, then REPS alternating pairs. */
export function sideBySide(o: { sizes: FePanelOpts[]; reps: number; keepDir: string; flowBin: string; log: (s: string) => void }): SizeResult[] {
  const fixest = haveFixest();
  if (!fixest) o.log('Rscript with data.table and fixest not found: flow only');
  const rdir = mkdtempSync(join(tmpdir(), 'flow-bench-r-'));
  const script = join(rdir, 'fe.R');
  writeFileSync(script, R_SCRIPT);
  const out: SizeResult[] = [];
  try {
    for (const size of o.sizes) {
      const rows = size.units * size.years;
      const dir = feProjectDir(o.keepDir, size);
      const g = performance.now();
      const made = !existsSync(join(dir, 'panel.csv'));
      const { workflow, csv } = writeFeProject(dir, size);
      const mb = statSync(csv).size / 1e6;
      o.log(`${rows.toLocaleString('en-US')} rows: ${csv} (${mb.toFixed(0)} MB${made ? `, generated in ${((performance.now() - g) / 1000).toFixed(1)} s` : ', kept from an earlier run'})`);
      const res: SizeResult = { opts: size, rows, mb, load: loadNow(), flow: [], fixest: fixest ? [] : null };
      try {
        for (let r = 0; r < o.reps; r++) {
          const f = flowRun(o.flowBin, workflow, dir);
          res.flow.push(f);
          o.log(`  flow   ${(f.wall / 1000).toFixed(2)} s, peak RSS ${f.rssMB?.toFixed(0) ?? '-'} MB (${f.detail})`);
          if (res.fixest) {
            const x = fixestRun(script, csv, dir);
            res.fixest.push(x);
            o.log(`  fixest ${(x.wall / 1000).toFixed(2)} s, peak RSS ${x.rssMB?.toFixed(0) ?? '-'} MB (${x.detail})`);
          }
        }
      } catch (e) {
        res.error = (e as Error).message;
        o.log(`  failed: ${res.error}`);
      }
      res.load += ` -> ${loadNow()}`;
      out.push(res);
    }
  } finally {
    rmSync(rdir, { recursive: true, force: true });
  }
  return out;
}

export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const relDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i])));

/** The printed table: medians, ratio against the target, peak RSS, agreement with fixest. */
export function sideBySideTable(results: SizeResult[], targets: Record<number, number>): string {
  const lines = [
    '| rows | CSV | flow (median) | fixest (median) | flow / fixest | target | flow peak RSS | fixest peak RSS | estimates rel. diff | SEs rel. diff |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mb = (runs: Run[]) => { const r = runs.map((x) => x.rssMB).filter((x): x is number => x != null); return r.length ? `${Math.max(...r).toFixed(0)} MB` : '-'; };
  for (const r of results) {
    if (!r.flow.length) { lines.push(`| ${r.rows.toLocaleString('en-US')} | ${r.mb.toFixed(0)} MB | failed: ${r.error} |`); continue; }
    const fl = median(r.flow.map((x) => x.wall));
    const fx = r.fixest?.length ? median(r.fixest.map((x) => x.wall)) : null;
    const ratio = fx ? fl / fx : null;
    const target = targets[r.rows];
    const verdict = ratio == null || target == null ? '' : ratio <= target ? ' pass' : ' over';
    let est = '-', se = '-';
    if (r.fixest?.length) {
      const ref = r.fixest[0];
      const e = Math.max(...r.flow.map((f) => relDiff(f.coef, ref.coef)));
      const v = Math.max(...r.flow.map((f) => relDiff(f.se, ref.se)));
      est = `${e.toExponential(1)} ${e <= 1e-8 ? '(<= 1e-8)' : 'FAIL (> 1e-8)'}`;
      se = `${v.toExponential(1)} ${v <= 1e-6 ? '(<= 1e-6)' : 'FAIL (> 1e-6)'}`;
    }
    lines.push(`| ${r.rows.toLocaleString('en-US')} | ${r.mb.toFixed(0)} MB | ${s(fl)} | ${fx ? s(fx) : '-'} | ${ratio ? ratio.toFixed(2) : '-'} | ${target != null ? `<= ${target.toFixed(1)}${verdict}` : '-'} | ${mb(r.flow)} | ${r.fixest ? mb(r.fixest) : '-'} | ${est} | ${se} |`);
  }
  lines.push('', 'machine load while measuring (first -> last run of each size):');
  for (const r of results) lines.push(`  ${r.rows.toLocaleString('en-US')} rows: ${r.load}`);
  return lines.join('\n');
}
