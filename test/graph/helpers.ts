// Test helpers: throwaway projects (package.json + the test node plugin), in-process
// runs, and the compiled CLI as a child process.
import { mkdtempSync, writeFileSync, copyFileSync, symlinkSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync, spawn } from 'node:child_process';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll } from 'vitest';
import { loadWorkflow, type NodeCatalog } from '../../src/graph/load.js';
import { buildPlan, type Plan } from '../../src/graph/plan.js';
import { run, type RunOptions } from '../../src/graph/scheduler.js';
import { Store } from '../../src/graph/store.js';
import type { RunEvent, Summary } from '../../src/graph/events.js';
import '../../src/ports/index.js'; // the domain port types (model, matrix, report), as the CLI registers them

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FLOW = join(REPO, 'bin', 'flow.js');

export const emptyCatalog: NodeCatalog = { get: () => undefined, all: () => [] };

/** A temp project: package.json, node_modules (symlink), nodes.js (test node types), and `files`. */
const made: string[] = [];
afterAll(() => { for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true }); });

export function project(files: Record<string, string | object> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'flow-test-'));
  made.push(dir);
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  copyFileSync(join(REPO, 'test/graph/fixtures/nodes.js'), join(dir, 'nodes.js'));
  write(dir, files);
  return dir;
}

export function write(dir: string, files: Record<string, string | object>): void {
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), typeof c === 'string' ? c : JSON.stringify(c, null, 2));
  }
}

export async function plan(dir: string, wf = 'wf.json', sets: Record<string, unknown> = {}): Promise<Plan> {
  return buildPlan(await loadWorkflow(join(dir, wf), emptyCatalog), sets);
}

export interface Ran { events: RunEvent[]; summary: Summary; ran: string[]; hit: string[]; cutOff: string[] }

export async function runIn(dir: string, wf = 'wf.json', opts: Partial<RunOptions> & { sets?: Record<string, unknown> } = {}): Promise<Ran> {
  const p = await plan(dir, wf, opts.sets);
  const events = await lastValueFrom(run(p, { store: new Store(join(dir, 'cache')), ...opts }).pipe(toArray()));
  const summary = (events.find((e) => e.type === 'summary') as { summary: Summary }).summary;
  const cutOff = events.flatMap((e) => (e.type === 'hit' && e.reason === 'cut-off' ? [e.node] : []));
  return { events, summary, ran: [...summary.ran].sort(), hit: [...summary.hit].sort(), cutOff: cutOff.sort() };
}

/** Reads the output value of a node from the cache via its last record. */
export function outputOf(dir: string, r: Ran, node: string, port = 'out'): unknown {
  const e = r.events.find((x) => (x.type === 'hit' || x.type === 'ran') && x.node === node) as { key: string } | undefined;
  if (!e) throw new Error(`no result for ${node}`);
  const store = new Store(join(dir, 'cache'));
  const rec = store.getRecord(e.key)!;
  return JSON.parse(readFileSync(store.objectPath(rec.outputs[port].hash), 'utf8'));
}

export function flow(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [FLOW, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function flowAsync(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [FLOW, ...args], { cwd });
    let stdout = '', stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => res({ code, stdout, stderr }));
  });
}

export const jsonLines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
export const readLog = (dir: string, f = 'log.txt') => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean).sort() : []);
