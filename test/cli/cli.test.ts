import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { project, flow, flowAsync, jsonLines, FLOW } from '../graph/helpers.js';
import { cases } from '../graph/fixtures/malformed.js';
import { ensureBuilt } from './build.js';

beforeAll(() => ensureBuilt(), 180_000);

const wf = {
  plugins: ['./nodes.js'],
  params: { delta: 0.09 },
  nodes: {
    deflate: { uses: 't-const', with: { value: 100 } },
    raw: { uses: 't-const', with: { value: 7 } },
    pim: { uses: 't-scale', with: { delta: '$delta' }, in: { x: 'deflate.out' } },
    clean: { uses: 't-add', in: { xs: ['pim.out', 'raw.out'] } },
    fe_ris: { uses: 't-model', in: { x: 'clean.out' } },
    tab: { uses: 't-table', with: { n: 3 } },
    w: { uses: 't-matrix', with: { n: 2 } },
  },
};

describe('flow run', () => {
  it('prints one JSON event per node and a summary line with --json', () => {
    const dir = project({ 'wf.json': wf });
    const r = flow(['run', 'wf.json', '--json'], dir);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    const events = lines.slice(0, -1);
    expect(events.map((e) => e.node).sort()).toEqual(['clean', 'deflate', 'fe_ris', 'pim', 'raw', 'tab', 'w']);
    for (const e of events) {
      expect(e.status).toBe('ran');
      expect(e.key).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof e.ms).toBe('number');
    }
    const { summary } = lines.at(-1);
    expect(summary.ran.sort()).toEqual(['clean', 'deflate', 'fe_ris', 'pim', 'raw', 'tab', 'w']);
    expect(summary.hit).toEqual([]);
    expect(summary.failed).toEqual([]);

    const again = jsonLines(flow(['run', 'wf.json', '--json', '--set', 'delta=0.096'], dir).stdout);
    expect(again.at(-1).summary.ran.sort()).toEqual(['clean', 'fe_ris', 'pim']);
    expect(again.find((e) => e.node === 'pim').why).toEqual(['params.delta 0.09 -> 0.096']);
  });

  it('writes every output with --out: tables and matrices as CSV, the rest as JSON', () => {
    const dir = project({ 'wf.json': wf });
    expect(flow(['run', 'wf.json', '--out', 'out'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'out/.flow-out.json'))).toBe(true); // the manifest of what was written (out.test.ts)
    expect(readdirSync(join(dir, 'out')).filter((f) => f !== '.flow-out.json').sort()).toEqual([
      'clean.out.json', 'deflate.out.json', 'fe_ris.model.json', 'pim.out.json', 'raw.out.json', 'tab.table.csv', 'w.w.csv']);
    expect(readFileSync(join(dir, 'out/tab.table.csv'), 'utf8')).toBe('id,x,y\nu0,0,0\nu1,1,NaN\nu2,2,\n');
    expect(readFileSync(join(dir, 'out/w.w.csv'), 'utf8')).toBe('id,c0,c1\nc0,0,0.3333333333333333\nc1,0.6666666666666666,1\n');
    expect(JSON.parse(readFileSync(join(dir, 'out/fe_ris.model.json'), 'utf8'))).toEqual({ estimator: 't', coefficients: [{ term: 'x', estimate: 16 }] });
  });

  it('prints plain progress lines and a closing summary when not on a TTY', () => {
    const dir = project({ 'wf.json': wf });
    flow(['run', 'wf.json'], dir);
    const r = flow(['run', 'wf.json', '--set', 'delta=0.5'], dir);
    expect(r.stdout).toMatch(/^ {2}ran {5}pim {5} +[\d.]+ m?s {2}params\.delta 0\.09 -> 0\.5$/m);
    expect(r.stdout).toMatch(/^ {2}hit {5}raw$/m);
    expect(r.stdout).toMatch(/^ran 3, hit 4 in .*; the cache saved .*$/m);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('exits non-zero naming the failed node, its inputs and the cause; independent nodes still finish', () => {
    const dir = project({ 'wf.json': { ...wf, nodes: { ...wf.nodes, bad: { uses: 't-fail', with: { message: 'matrix is singular' }, in: { x: 'clean.out' } }, after: { uses: 't-round', in: { x: 'bad.out' } } } } });
    const r = flow(['run', 'wf.json', '--json'], dir);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines.find((e) => e.node === 'bad')).toMatchObject({ status: 'failed', inputs: ['x <- clean.out'], error: expect.stringContaining('bad (t-fail) failed: matrix is singular; inputs: x <- clean.out') });
    expect(lines.find((e) => e.node === 'after')).toMatchObject({ status: 'skipped', because: 'input bad failed' });
    expect(lines.at(-1).summary.ran).toHaveLength(7);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the plan cache', () => {
  it('is invalidated by any edit of the workflow or of a plugin', () => {
    const dir = project({ 'wf.json': wf });
    expect(flow(['run', 'wf.json'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'cache/plans'))).toHaveLength(1);
    writeFileSync(join(dir, 'wf.json'), JSON.stringify({ ...wf, params: { delta: 0.2 } }));
    const r = jsonLines(flow(['run', 'wf.json', '--json'], dir).stdout).at(-1).summary;
    expect(r.ran.sort()).toEqual(['clean', 'fe_ris', 'pim']);
    writeFileSync(join(dir, 'wf.json'), JSON.stringify({ ...wf, params: { delta: 2 } }));
    const bad = flow(['run', 'wf.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('wf.json: nodes.pim.with.delta: expected a number in (0, 1), got 2');
    writeFileSync(join(dir, 'wf.json'), JSON.stringify(wf));
    writeFileSync(join(dir, 'nodes.js'), readFileSync(join(dir, 'nodes.js'), 'utf8') + '\n// edited\n');
    const edited = jsonLines(flow(['run', 'wf.json', '--json'], dir).stdout).at(-1).summary;
    expect(edited.ran).toHaveLength(7); // the plugin's code hash is in every key of its nodes
  });
});

describe('flow status and explain', () => {
  it('names the root cause of a stale node, not only its immediate input', () => {
    const dir = project({ 'wf.json': wf });
    flow(['run', 'wf.json'], dir);
    const st = flow(['status', 'wf.json', '--set', 'delta=0.096', '--json'], dir);
    const rows = Object.fromEntries(jsonLines(st.stdout).map((r) => [r.node, r]));
    expect(Object.values(rows).filter((r) => r.status === 'stale').map((r) => r.node).sort()).toEqual(['clean', 'fe_ris', 'pim']);
    expect(rows.pim.why).toEqual(['params.delta 0.09 -> 0.096']);
    expect(rows.fe_ris.roots).toEqual(['params.delta 0.09 -> 0.096 changed node pim; deflate unchanged']);

    const ex = flow(['explain', 'wf.json', 'fe_ris', '--set', 'delta=0.096'], dir);
    expect(ex.stdout).toContain('now: would run');
    expect(ex.stdout).toContain('because input x will change (upstream must run) (clean)');
    expect(ex.stdout).toContain('root cause: params.delta 0.09 -> 0.096 changed node pim; deflate unchanged');

    flow(['run', 'wf.json', '--set', 'delta=0.096'], dir);
    const last = flow(['explain', 'wf.json', 'fe_ris', '--set', 'delta=0.096'], dir).stdout;
    expect(last).toContain('now: fresh, a cache hit');
    expect(last).toMatch(/last run \(.*\): ran\n {4}because input x changed \(clean\)\n {4}root cause: params.delta 0.09 -> 0.096 changed node pim; deflate unchanged/);
  });

  it('says fresh for every node after a run', () => {
    const dir = project({ 'wf.json': wf });
    flow(['run', 'wf.json'], dir);
    expect(flow(['status', 'wf.json'], dir).stdout).toContain('7 fresh, 0 stale');
  });
});

describe('flow graph, nodes and cache', () => {
  it('prints the DAG as mermaid, dot and json', () => {
    const dir = project({ 'wf.json': wf });
    const m = flow(['graph', 'wf.json'], dir).stdout;
    expect(m.split('\n')[0]).toBe('flowchart LR');
    // topological order (graphology-dag): sources first, in declaration order
    expect(m).toContain('n0["deflate<br/><small>t-const</small>"]');
    expect(m).toContain('n4["pim<br/><small>t-scale</small>"]');
    expect(m).toContain('n0 -->|"out → x"| n4');
    const d = flow(['graph', 'wf.json', '--format', 'dot'], dir).stdout;
    expect(d).toContain('n4 -> n5 [label="out -> xs"];');
    const j = JSON.parse(flow(['graph', 'wf.json', '--format', 'json'], dir).stdout);
    expect(j.edges).toContainEqual({ from: 'clean', fromPort: 'out', to: 'fe_ris', toPort: 'x', type: 'json' });
  });

  it('lists, shows, verifies and collects the cache; gc keeps what the last run of each variant used', () => {
    const dir = project({ 'wf.json': wf });
    flow(['run', 'wf.json'], dir);
    flow(['run', 'wf.json', '--set', 'delta=0.5'], dir);
    const ls = flow(['cache', 'ls', '--json'], dir);
    const recs = jsonLines(ls.stdout);
    expect(recs).toHaveLength(10);
    const pim = recs.find((r) => r.node === 'pim');
    const show = JSON.parse(flow(['cache', 'show', pim.key.slice(0, 10)], dir).stdout);
    expect(show.fingerprint.params).toEqual({ delta: 0.09, base: 'zhang' });
    expect(show.fingerprint.code).toMatch(/^[0-9a-f]{64}$/); // the plugin module's hash
    expect(flow(['cache', 'verify'], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining('cache ok') });
    // both variants (no overrides, delta=0.5) were run last with what they use: nothing goes
    expect(flow(['cache', 'gc'], dir).stdout).toContain('removed 0 records, 0 objects');
    expect(flow(['status', 'wf.json'], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining('7 fresh, 0 stale') });
    expect(flow(['status', 'wf.json', '--set', 'delta=0.5'], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining('7 fresh, 0 stale') });
    // the workflow's own delta changes: the old default's three results are superseded
    writeFileSync(join(dir, 'wf.json'), JSON.stringify({ ...wf, params: { delta: 0.2 } }));
    flow(['run', 'wf.json'], dir);
    expect(jsonLines(flow(['cache', 'ls', '--json'], dir).stdout)).toHaveLength(13);
    const dry = flow(['cache', 'gc', '--dry-run'], dir);
    expect(dry.stdout).toContain('would remove 3 records');
    expect(dry.stdout).toMatch(/^ {2}would remove {2}clean +wf\.json {2}\(last used \d{4}-/m);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('  would remove')).map((l) => l.split(/\s+/)[3]).sort()).toEqual(['clean', 'fe_ris', 'pim']);
    expect(jsonLines(flow(['cache', 'ls', '--json'], dir).stdout)).toHaveLength(13);
    flow(['cache', 'gc'], dir);
    expect(jsonLines(flow(['cache', 'ls', '--json'], dir).stdout)).toHaveLength(10);
    expect(jsonLines(flow(['run', 'wf.json', '--json', '--set', 'delta=0.5'], dir).stdout).at(-1).summary.ran).toEqual([]);
    expect(jsonLines(flow(['run', 'wf.json', '--json'], dir).stdout).at(-1).summary.ran).toEqual([]);
    // --keep 0m forgets every run, so everything would go; a bad age is a clear error
    expect(flow(['cache', 'gc', '--dry-run', '--keep', '0m'], dir).stdout).toContain('would remove 10 records');
    expect(flow(['cache', 'gc', '--keep', 'x'], dir)).toMatchObject({ code: 2, stderr: 'error: --keep x: expected an age such as 30m, 12h, 7d or 2w\n' });
  });

  it('verify finds a corrupted artifact and --fix removes it; the next run recomputes it', () => {
    const dir = project({ 'wf.json': wf });
    flow(['run', 'wf.json'], dir);
    const objs = join(dir, 'cache/objects');
    const sub = readdirSync(objs)[0];
    const f = join(objs, sub, readdirSync(join(objs, sub))[0]);
    writeFileSync(f, 'garbage');
    const v = flow(['cache', 'verify'], dir);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('content does not match its hash');
    expect(flow(['cache', 'verify', '--fix'], dir).code).toBe(0);
    expect(flow(['cache', 'verify'], dir).stdout).toContain('cache ok');
    const r = jsonLines(flow(['run', 'wf.json', '--json'], dir).stdout).at(-1).summary;
    expect(r.ran.length).toBeGreaterThan(0);
    expect(existsSync(f)).toBe(true);
  });
});

describe('malformed workflows on the command line', () => {
  it('each prints its message and exits 2, with no stack trace', { timeout: 240_000 }, async () => {
    const results: { name: string; code: number | null; stderr: string; expect: string[] }[] = [];
    const queue = [...cases];
    await Promise.all([0, 1, 2, 3].map(async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const dir = project(c.files);
        const r = await flowAsync(['run', c.wf ?? 'wf.json', ...(c.args ?? [])], dir);
        results.push({ name: c.name, code: r.code, stderr: r.stderr, expect: c.expect });
      }
    }));
    expect(results).toHaveLength(cases.length);
    for (const r of results) {
      expect.soft(r.code, r.name).toBe(2);
      for (const s of r.expect) expect.soft(r.stderr, r.name).toContain(s);
      expect.soft(r.stderr, r.name).not.toMatch(/\n\s+at |internal error/);
    }
  });
});

describe('worker threads', () => {
  it('runs node types marked worker: true in worker threads, beside each other, with the same results', () => {
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], nodes: {
      k: { uses: 't-const', with: { value: 3 } },
      a: { uses: 't-spin', with: { n: 1000 }, in: { k: 'k.out' } },
      b: { uses: 't-spin', with: { n: 2000 }, in: { k: 'k.out' } },
      c: { uses: 't-add', in: { xs: ['k.out'] } },
    } } });
    const r = flow(['run', 'wf.json', '--json', '--workers', '2', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).at(-1).summary.ran.sort()).toEqual(['a', 'b', 'c', 'k']);
    expect(JSON.parse(readFileSync(join(dir, 'out/a.out.json'), 'utf8'))).toEqual({ sum: 3 * (999 * 1000) / 2, inWorker: true });
    expect(JSON.parse(readFileSync(join(dir, 'out/b.out.json'), 'utf8'))).toEqual({ sum: 3 * (1999 * 2000) / 2, inWorker: true });
    const inline = flow(['run', 'wf.json', '--workers', '0', '--force', 'a', '--out', 'out'], dir);
    expect(inline.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/a.out.json'), 'utf8'))).toEqual({ sum: 3 * (999 * 1000) / 2, inWorker: false });
    expect(flow(['cache', 'verify'], dir).stdout).toContain('cache ok');
  });
});

describe('flow watch', () => {
  it('re-runs the affected nodes when a file the workflow reads changes', async () => {
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], nodes: { a: { uses: 't-const', with: { value: 1 } }, t: { uses: 't-read', with: { path: 'in.txt' } } } }, 'in.txt': 'one' });
    const child = spawn(process.execPath, [FLOW, 'watch', 'wf.json', '--json'], { cwd: dir });
    let out = '';
    let exited = false;
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => (exited = true));
    const summaries = () => (out.match(/"summary"/g) ?? []).length;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      while (summaries() < 1 && !exited) await sleep(50);
      // watchers start just after the first run; rewrite until a change lands after them
      for (let i = 0; summaries() < 2 && !exited && i < 100; i++) {
        if (i % 10 === 0) writeFileSync(join(dir, 'in.txt'), `two ${i}`);
        await sleep(100);
      }
      const events = jsonLines(out);
      const second = events.slice(events.findIndex((e) => e.summary) + 1);
      expect(second.find((e) => e.node === 't')).toMatchObject({ status: 'ran', why: ['file in.txt changed'] });
      expect(second.find((e) => e.node === 'a')).toMatchObject({ status: 'hit' });
    } finally { child.kill('SIGKILL'); }
  }, 60_000);
});

describe('the CLI as a pipe source, and lazily registered commands', () => {
  it('stops quietly, exit code 0, when stdout is closed early (`flow status wf | head`)', async () => {
    // 3000 nodes: far more output than a pipe buffers, so writes after the close fail with EPIPE
    const nodes = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`node_with_a_long_name_${i}`, { uses: 't-const', with: { value: i } }]));
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], nodes } });
    for (const args of [['status', 'wf.json'], ['graph', 'wf.json']]) {
      const child = spawn(process.execPath, [FLOW, ...args], { cwd: dir });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(stderr, args.join(' ')).toBe('');
      expect(code, args.join(' ')).toBe(args[0] === 'status' ? 1 : 0); // status: 1 = something is stale (nothing ran yet)
    }
  }, 60_000);

  it('flow synth --help prints the synth options', () => {
    const r = flow(['synth', '--help'], process.cwd());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: flow synth');
    expect(r.stdout).toContain('--seed <n>');
    expect(flow(['--help'], process.cwd()).stdout).toMatch(/^ {2}synth /m);
  });
});

describe('flow status as a script', () => {
  it('exits 0 when everything is fresh and 1 when anything is stale, with a --json summary', () => {
    const dir = project({ 'wf.json': wf });
    expect(flow(['status', 'wf.json'], dir).code).toBe(1);
    flow(['run', 'wf.json'], dir);
    const ok = flow(['status', 'wf.json', '--json'], dir);
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout).at(-1)).toEqual({ summary: { workflow: 'wf.json', sets: {}, fresh: 7, stale: [] } });
    const st = flow(['status', 'wf.json', '--json', '--set', 'delta=0.5'], dir);
    expect(st.code).toBe(1);
    expect(jsonLines(st.stdout).at(-1)).toEqual({ summary: { workflow: 'wf.json', sets: { delta: 0.5 }, fresh: 4, stale: ['pim', 'clean', 'fe_ris'] } });
    expect(jsonLines(st.stdout).find((r) => r.node === 'pim')).toMatchObject({ status: 'stale', cues: ['params'], why: ['params.delta 0.09 -> 0.5'] });
  });
});

describe('flow log', () => {
  it('lists the runs with their overrides, newest last; two runs at once both appear and the journal stays valid JSON', async () => {
    const dir = project({ 'wf.json': wf });
    flow(['run', 'wf.json'], dir);
    const [a, b] = await Promise.all([flowAsync(['run', 'wf.json', '--set', 'delta=0.5'], dir), flowAsync(['run', 'wf.json', '--set', 'delta=0.25'], dir)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const runs = jsonLines(flow(['log', 'wf.json', '--json'], dir).stdout);
    expect(runs).toHaveLength(3);
    expect(runs[0]).toMatchObject({ workflow: 'wf.json', sets: {}, flow: expect.stringMatching(/^\d+\.\d+\.\d+/), failed: [] });
    expect(runs[0].ran.sort()).toEqual(['clean', 'deflate', 'fe_ris', 'pim', 'raw', 'tab', 'w']);
    expect(runs[0].nodes.pim).toMatchObject({ status: 'ran', key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(runs.slice(1).map((r) => r.sets.delta).sort()).toEqual([0.25, 0.5]);
    for (const r of runs.slice(1)) expect(r.ran.sort()).toEqual(['clean', 'fe_ris', 'pim']);
    expect(() => JSON.parse(readFileSync(join(dir, 'cache/journal.json'), 'utf8'))).not.toThrow();
    const text = flow(['log', 'wf.json'], dir).stdout.trim().split('\n');
    expect(text).toHaveLength(3);
    expect(text[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}wf\.json {2}ran 7, hit 0 in .* \(flow \d+\.\d+\.\d+/);
    expect(text.slice(1).some((l) => l.includes('wf.json --set delta=0.5  ran 3, hit 4'))).toBe(true);
    expect(flow(['log', 'other.json'], dir).stdout).toContain('no runs recorded for other.json');
  });
});
