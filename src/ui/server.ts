// The HTTP side of `flow ui`: node:http, no framework. It serves the page (index.html,
// app.js, app.css: plain files beside this module, copied into dist/ui/ by the build), a
// JSON API over the session (graph, node panel, run, history, compare) and the run events as
// server-sent events. It listens on 127.0.0.1 unless told otherwise; requests that change
// anything must be JSON POSTs from the page's own origin (a form on another site cannot).
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonical } from '../graph/hash.js';
import { readJournal, type JournalRun } from '../graph/journal.js';
import { ancestorsOf } from '../graph/scheduler.js';
import { assess } from '../graph/fingerprint.js';
import { formatError, WorkflowInvalid } from '../graph/load.js';
import { FlowError } from '../errors.js';
import { Session, splitSets, variantId } from './session.js';
import { layout } from './graph-view.js';
import { nodePanel } from './node-view.js';
import { compareSides, type Side } from './compare-view.js';

const STATIC: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/app.css': ['app.css', 'text/css; charset=utf-8'],
};
// src/ui/ from source, dist/ui/ from the bundle (the server module is one level below either)
const staticDir = new URL('../ui/', import.meta.url);

class HttpError extends Error { constructor(readonly status: number, message: string) { super(message); } }

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
};

async function body(req: IncomingMessage): Promise<any> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'expected application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) { size += c.length; if (size > 1 << 20) throw new HttpError(413, 'request too large'); chunks.push(c); }
  try { return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'); } catch { throw new HttpError(400, 'invalid JSON'); }
}

const runId = (r: JournalRun) => `${r.at}|${r.workflow}|${canonical(r.sets)}`;

/** host:port names the page may be reached by (a page of another site rebound to 127.0.0.1 is refused). */
const LOCAL_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function uiServer(session: Session, host = '127.0.0.1'): Server {
  const names = new Set([...LOCAL_NAMES, host.includes(':') ? `[${host}]` : host]);
  const layouts = new Map<string, Awaited<ReturnType<typeof layout>>>();
  const setsOf = (u: URL) => u.searchParams.getAll('set').flatMap(splitSets);

  /** A branch file brought up to date for `node` (running what is stale, in the run queue), or a journal run. */
  async function side(spec: { branch?: string; run?: string }, node: string): Promise<Side> {
    if (spec.branch) {
      let { plan, store } = await session.open(spec.branch);
      const scope = plan.nodes.has(node) ? await ancestorsOf(plan, [node]) : undefined;
      let a = assess(plan, store, scope);
      if ([...a.values()].some((x) => !x.fresh)) {
        await session.runQueued(plan, store);
        ({ plan, store } = await session.open(spec.branch));
        a = assess(plan, store, scope);
      }
      return { label: spec.branch, params: plan.params, keys: Object.fromEntries([...a.values()].map((x) => [x.id, x.fresh ? x.key : null])) };
    }
    const { store } = await session.open(session.given[0]);
    const r = (await readJournal(store.dir)).find((x) => runId(x) === spec.run);
    if (!r) throw new HttpError(404, `no run ${spec.run} in the journal`);
    if (!r.nodes) throw new HttpError(409, `the journal keeps node details only for recent runs; ${r.at} has none`);
    // the run's effective params, when its workflow is one of ours and still valid
    let params: Record<string, unknown> | undefined;
    if (session.files.has(r.workflow)) {
      try { params = (await session.open(r.workflow, Object.entries(r.sets).map(([k, v]) => `${k}=${JSON.stringify(v)}`))).plan.params; } catch { /* changed since: the --set overrides only */ }
    }
    return { label: `${r.workflow} ${r.at}`, sets: r.sets, params, keys: Object.fromEntries(Object.entries(r.nodes).map(([id, x]) => [id, x.key])) };
  }

  async function api(req: IncomingMessage, res: ServerResponse, u: URL): Promise<void> {
    const route = `${req.method} ${u.pathname}`;
    if (route === 'GET /api/workflows') return send(res, 200, { workflows: session.given, branches: [...session.files.keys()], root: session.root });
    if (route === 'GET /api/graph') {
      const { plan, store } = await session.open(u.searchParams.get('wf') ?? session.given[0], setsOf(u));
      const expand = new Set((u.searchParams.get('expand') ?? '').split(',').filter(Boolean));
      const laid = async (dir: 'LR' | 'TB') => {
        const lk = `${plan.rel} ${plan.order.join(' ')} ${[...expand].sort().join(',')} ${dir}`;
        let l = layouts.get(lk);
        if (!l) { if (layouts.size > 50) layouts.clear(); l = await layout(plan, expand, dir); layouts.set(lk, l); }
        return l;
      };
      // auto: the direction whose drawing comes out larger in the page's viewport (vw x vh)
      const want = u.searchParams.get('dir');
      const vw = Number(u.searchParams.get('vw')) || 1000, vh = Number(u.searchParams.get('vh')) || 700;
      const scale = (l: { width: number; height: number }) => Math.min(vw / l.width, vh / l.height);
      const lay = want === 'LR' || want === 'TB' ? await laid(want) : await Promise.all([laid('LR'), laid('TB')]).then(([a, b]) => (scale(b) > scale(a) * 1.05 ? b : a));
      const nodes = Object.fromEntries(plan.order.map((id) => { const n = plan.nodes.get(id)!; return [id, { type: n.type, base: n.base, outputs: Object.values(n.def.outputs).map((o: any) => o.type) }]; }));
      return send(res, 200, { workflow: plan.rel, sets: plan.sets, variant: variantId(plan), running: session.running, layout: lay, nodes, status: session.statuses(plan, store) });
    }
    if (route === 'GET /api/node') {
      const { plan, store } = await session.open(u.searchParams.get('wf') ?? session.given[0], setsOf(u));
      return send(res, 200, await nodePanel(plan, store, u.searchParams.get('id') ?? ''));
    }
    if (route === 'POST /api/run') {
      const b = await body(req);
      const { plan, store } = await session.open(String(b.workflow ?? session.given[0]), splitSets(String(b.sets ?? '')));
      if (session.running) throw new HttpError(409, `a run is in progress (${session.running}); one run at a time per cache`);
      session.startRun(plan, store);
      return send(res, 202, { started: variantId(plan) });
    }
    if (route === 'GET /api/history') {
      const { store } = await session.open(session.given[0]);
      const runs = (await readJournal(store.dir)).slice(-100).reverse();
      return send(res, 200, { runs: runs.map((r) => ({ id: runId(r), at: r.at, ms: r.ms, workflow: r.workflow, sets: r.sets, flow: r.flow, commit: r.commit, ran: r.ran.length, hit: r.hit.length, failed: r.failed, skipped: r.skipped.length, details: !!r.nodes })) });
    }
    if (route === 'POST /api/compare') {
      const b = await body(req);
      const node = String(b.node ?? '');
      if (!node) throw new HttpError(400, 'which node? (node)');
      const [sa, sb] = await Promise.all([side(b.a ?? {}, node), side(b.b ?? {}, node)].map((p) => p));
      const { store } = await session.open(session.given[0]);
      return send(res, 200, await compareSides(store, sa, sb, node, b.port));
    }
    if (route === 'GET /api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': flow ui\n\n');
      const off = session.subscribe((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => { off(); clearInterval(ping); });
      return;
    }
    throw new HttpError(404, `no route ${route}`);
  }

  return createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== '0.0.0.0' && host !== '::' && !names.has(hostName)) return send(res, 403, { error: `unexpected Host ${req.headers.host}` });
    const st = STATIC[u.pathname];
    if (req.method === 'GET' && st) {
      try {
        res.writeHead(200, { 'content-type': st[1], 'cache-control': 'no-store' });
        res.end(readFileSync(fileURLToPath(new URL(st[0], staticDir))));
      } catch (e) { send(res, 500, { error: `the page is missing (${(e as Error).message}): run \`npm run build\`` }); }
      return;
    }
    // state-changing requests only from this page's origin
    const origin = req.headers.origin;
    if (req.method !== 'GET' && origin && origin !== `http://${req.headers.host}`) return send(res, 403, { error: 'cross-origin request refused' });
    api(req, res, u).catch((e) => {
      if (res.headersSent) { res.end(); return; }
      if (e instanceof HttpError) return send(res, e.status, { error: e.message });
      if (e instanceof WorkflowInvalid) return send(res, 400, { error: e.errors.map(formatError).join('\n') });
      if (e instanceof FlowError) return send(res, e.kind === 'validate' ? 400 : 500, { error: formatError(e) });
      send(res, 500, { error: `internal error: ${(e as Error)?.message ?? e}` });
    });
  });
}
