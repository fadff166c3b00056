// What `flow ui` knows between requests: the workflows it serves, the cache, the run in
// progress (one at a time per cache: the page's runs queue behind each other), and the
// listeners of the event stream. A node's colour is derived from what the cache says
// (fingerprint.ts assess + the workflow's last run state), so a page opened later, or a run
// started from a terminal, shows the same thing; only while a run of the page is going are
// the live events (running, ran, hit, ...) laid over it. A run from a terminal is noticed by
// polling the run state and journal files once a second.
import { statSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { openWorkflow } from '../cli/common.js';
import { runAndExport } from '../cli/run.js';
import { assess } from '../graph/fingerprint.js';
import { canonical } from '../graph/hash.js';
import { projectRoot } from '../graph/load.js';
import { journalPath } from '../graph/journal.js';
import { formatError } from '../graph/load.js';
import { FlowError } from '../errors.js';
import type { Plan } from '../graph/plan.js';
import type { Store } from '../graph/store.js';
import type { RunEvent, Summary } from '../graph/events.js';

export type UiStatus = 'fresh' | 'stale' | 'running' | 'ran' | 'hit' | 'failed' | 'skipped';

export interface UiOpts { cache?: string; out?: boolean; jobs?: number; workers?: number }

/** A message on the event stream (server-sent events). */
export type UiEvent =
  | { type: 'node'; variant: string; node: string; status: UiStatus; ms?: number; text?: string }
  | { type: 'run'; phase: 'start' | 'end' | 'error'; variant: string; workflow: string; sets: Record<string, unknown>; summary?: Summary; error?: string }
  | { type: 'changed'; workflow: string };

/** "--set a=1 b=[1, 2]" or "a=1 b=2": one name=value per word, brackets and quotes kept together. */
export function splitSets(text: string): string[] {
  const out: string[] = [];
  let cur = '', depth = 0, quote = '';
  for (const ch of text.trim()) {
    if (quote) { cur += ch; if (ch === quote) quote = ''; continue; }
    if (ch === '"' || ch === "'") { quote = ch; cur += ch; continue; }
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (/\s/.test(ch) && depth <= 0) { if (cur) out.push(cur); cur = ''; continue; }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out.filter((s) => s !== '--set');
}

export const variantId = (plan: Pick<Plan, 'rel' | 'sets'>) => `${plan.rel} ${canonical(plan.sets)}`;

export class Session {
  private listeners = new Set<(e: UiEvent) => void>();
  /** live statuses of the run in progress, by variant */
  private live = new Map<string, Map<string, UiStatus>>();
  private queue: Promise<unknown> = Promise.resolve();
  running: string | undefined;
  private signatures = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  /** project-relative path -> absolute file: the workflows given, then their sibling workflow files (for comparing branches) */
  readonly files = new Map<string, string>();
  readonly given: string[] = [];
  readonly root: string;

  constructor(workflows: string[], readonly opts: UiOpts) {
    const abs = workflows.map((w) => resolve(w));
    this.root = projectRoot(abs[0] ?? join(process.cwd(), 'workflows', 'x.json'));
    for (const f of abs) { const rel = relative(this.root, f); this.files.set(rel, f); this.given.push(rel); }
    const dirs = new Set(abs.length ? abs.map(dirname) : [join(this.root, 'workflows')]);
    for (const d of dirs) {
      let names: string[] = [];
      try { names = readdirSync(d).filter((n) => n.endsWith('.json')).sort(); } catch { /* none */ }
      for (const n of names) { const f = join(d, n); const rel = relative(this.root, f); if (!this.files.has(rel)) this.files.set(rel, f); }
    }
    if (!this.given.length) this.given.push(...this.files.keys());
  }

  /** The plan of a known workflow with --set overrides. */
  async open(rel: string, sets: string[] = []): Promise<{ plan: Plan; store: Store }> {
    const file = this.files.get(rel);
    if (!file) throw new FlowError('validate', `unknown workflow ${rel}; known: ${[...this.files.keys()].join(', ')}`);
    return openWorkflow(file, { set: sets, cache: this.opts.cache });
  }

  subscribe(f: (e: UiEvent) => void): () => void { this.listeners.add(f); return () => this.listeners.delete(f); }
  emit(e: UiEvent): void { for (const f of this.listeners) f(e); }

  /** Each node's colour: the live run's event, else fresh/stale from assess, shown as the last run's ran/hit/failed/skipped while that still holds. */
  statuses(plan: Plan, store: Store): Record<string, UiStatus> {
    const a = assess(plan, store);
    const last = store.readState(plan.rel);
    const live = this.live.get(variantId(plan));
    const out: Record<string, UiStatus> = {};
    for (const id of plan.order) {
      const x = a.get(id)!, l = last?.nodes[id];
      const now = live?.get(id);
      if (now) out[id] = now;
      else if (x.fresh) out[id] = l && (l.status === 'ran' || l.status === 'hit') && l.key === x.key ? l.status : 'fresh';
      else if (l?.status === 'failed' && l.key === x.key) out[id] = 'failed';
      else if (l?.status === 'skipped' && x.key === null) out[id] = 'skipped';
      else out[id] = 'stale';
    }
    return out;
  }

  /** Starts a run unless one is going (409 for the page); resolves when it has started. */
  startRun(plan: Plan, store: Store): void {
    if (this.running) throw new FlowError('validate', `a run is in progress (${this.running}); one run at a time per cache`);
    void this.runQueued(plan, store).catch(() => { /* reported on the event stream */ });
  }

  /** Runs a plan through `flow run`'s own runAndExport, after any run in progress; events go to the page. */
  runQueued(plan: Plan, store: Store): Promise<Summary> {
    const v = variantId(plan);
    this.running ??= v;
    const go = async () => {
      this.running = v;
      const live = new Map<string, UiStatus>();
      this.live.set(v, live);
      const base = { variant: v, workflow: plan.rel, sets: plan.sets };
      this.emit({ type: 'run', phase: 'start', ...base });
      const onEvent = (e: RunEvent) => {
        const put = (node: string, status: UiStatus, ms?: number, text?: string) => { live.set(node, status); this.emit({ type: 'node', variant: v, node, status, ms, text }); };
        if (e.type === 'start') put(e.node, 'running', undefined, e.why.map((r) => r.text).join('; '));
        else if (e.type === 'ran') put(e.node, 'ran', e.ms, e.why.map((r) => r.text).join('; '));
        else if (e.type === 'hit') put(e.node, 'hit', e.ms, e.reason === 'cut-off' ? 'early cut-off: inputs re-ran, same bytes' : 'cached');
        else if (e.type === 'failed') put(e.node, 'failed', e.ms, formatError(e.error));
        else if (e.type === 'skipped') put(e.node, 'skipped', 0, e.because);
      };
      try {
        const summary = await runAndExport(plan, store, { out: this.opts.out === false ? false : undefined, jobs: this.opts.jobs ?? 4, workers: this.opts.workers }, { onEvent });
        this.live.delete(v);
        this.emit({ type: 'run', phase: 'end', ...base, summary });
        return summary;
      } catch (e) {
        this.live.delete(v);
        this.emit({ type: 'run', phase: 'error', ...base, error: e instanceof FlowError ? formatError(e) : (e as Error).message });
        throw e;
      } finally { this.running = undefined; }
    };
    const p = this.queue.then(go, go);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Polls each workflow's run state, the journal and the workflow files: a change (a run from a terminal, an edit) tells the page to refresh. */
  startPolling(store: Store, everyMs = 1000): void {
    const mtime = (p: string) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const pending = () => { try { return readdirSync(join(store.dir, 'journal.d')).length; } catch { return 0; } };
    const tick = () => {
      const journal = `${mtime(journalPath(store.dir))}:${pending()}`;
      for (const [rel, file] of this.files) {
        if (!this.given.includes(rel)) continue;
        const sig = `${mtime(store.statePath(rel))}:${mtime(file)}:${journal}`;
        const before = this.signatures.get(rel);
        this.signatures.set(rel, sig);
        if (before !== undefined && before !== sig && !this.running) this.emit({ type: 'changed', workflow: rel });
      }
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  stop(): void { clearInterval(this.timer); }
}
