// flow ui, the page's script (plain ES module, no build step). It draws the DAG the server
// laid out (src/ui/graph-view.ts) as SVG in a viewBox that fits the window, colours each box
// by status (data-status), follows runs over server-sent events, and fills the tabs: a
// node's panel, the run history and the comparison of two branches or runs.
const STATUSES = ['fresh', 'stale', 'running', 'ran', 'hit', 'failed', 'skipped'];
// a collapsed group shows its most telling member's status
const PRECEDENCE = ['failed', 'running', 'stale', 'skipped', 'ran', 'hit', 'fresh'];
const SVG = 'http://www.w3.org/2000/svg';
const $ = (s) => document.querySelector(s);

const st = { workflow: '', sets: '', dir: 'auto', expanded: new Set(), graph: null, status: {}, selected: null, view: null, branches: [], runs: [] };

/** h('td', { class: 'x', 'data-a': 1 }, 'text', child): an element (SVG when ns is given) */
function h(tag, attrs = {}, ...kids) {
  const e = attrs.ns ? document.createElementNS(attrs.ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'ns' || v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, String(v));
  }
  for (const k of kids.flat()) if (k !== undefined && k !== null && k !== false) e.append(k instanceof Node ? k : String(k));
  return e;
}
const s = (tag, attrs = {}, ...kids) => h(tag, { ns: SVG, ...attrs }, ...kids);

async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok) throw new Error(j.error || `HTTP ${r.status}`);
  return j;
}
const q = () => {
  const p = new URLSearchParams({ wf: st.workflow });
  if (st.sets.trim()) p.append('set', st.sets);
  return p;
};
const say = (text, err = false) => { const e = $('#runstate'); e.textContent = text; e.className = err ? 'err' : ''; };
const fmtMs = (ms) => (ms == null ? '' : ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const fmtNum = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toFixed(6) : v.toPrecision(6)) : v == null ? '' : String(v));
const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

// ---- the DAG ----

async function loadGraph() {
  const p = q();
  if (st.expanded.size) p.set('expand', [...st.expanded].join(','));
  p.set('dir', st.dir);
  const r = $('#graph').getBoundingClientRect();
  p.set('vw', String(Math.round(r.width))); p.set('vh', String(Math.round(r.height)));
  try {
    const g = await api(`/api/graph?${p}`);
    $('#graph-error').hidden = true;
    const relayout = !st.graph || JSON.stringify(st.graph.layout) !== JSON.stringify(g.layout);
    st.graph = g; st.status = g.status;
    if (relayout) drawGraph(); else paint();
    fillNodeChoices();
    if (g.running) say(`running ${g.running}`); 
  } catch (e) { const b = $('#graph-error'); b.textContent = e.message; b.hidden = false; }
}

function boxStatus(box) {
  const ss = box.members.map((m) => st.status[m] ?? 'fresh');
  return PRECEDENCE.find((x) => ss.includes(x)) ?? 'fresh';
}

function drawGraph() {
  const svg = $('#graph');
  const L = st.graph.layout;
  svg.replaceChildren();
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' }, s('path', { d: 'M0,0L10,5L0,10z', fill: '#777' }))));
  for (const c of L.clusters) {
    svg.append(s('g', { class: 'cluster', 'data-group': c.id },
      s('rect', { x: c.x, y: c.y, width: c.w, height: c.h, rx: 8 }),
      s('text', { x: c.x + 6, y: c.y + 12, onclick: () => { st.expanded.delete(c.id); loadGraph(); } }, `${c.id} x${c.count} (click to collapse)`)));
  }
  for (const e of L.edges) svg.append(s('path', { class: 'edge', d: e.d, 'marker-end': 'url(#arrow)', 'data-from': e.from, 'data-to': e.to }));
  for (const b of L.boxes) {
    const sub = b.group ? `${b.type}  x${b.members.length}` : b.type;
    const g = s('g', { class: `node${b.group ? ' group' : ''}`, 'data-node': b.id, 'data-status': boxStatus(b), 'data-type': b.type, 'data-count': b.group ? b.members.length : undefined, tabindex: 0,
      onclick: () => (b.group ? (st.expanded.add(b.id), loadGraph()) : openNode(b.id)) },
    s('title', {}, b.group ? `${b.id}: ${b.members.length} matrix copies (click to expand)` : `${b.id} (${b.type})`),
    s('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 6 }),
    s('text', { x: b.x + b.w / 2, y: b.y + b.h / 2 - 2, 'text-anchor': 'middle' }, b.id),
    s('text', { class: 'sub', x: b.x + b.w / 2, y: b.y + b.h / 2 + 10, 'text-anchor': 'middle' }, sub));
    if (b.id === st.selected) g.classList.add('selected');
    svg.append(g);
  }
  fit();
}

/** Colours only (no re-layout): every box's data-status from st.status. */
function paint() {
  const boxes = new Map(st.graph.layout.boxes.map((b) => [b.id, b]));
  for (const g of document.querySelectorAll('#graph g.node')) {
    const b = boxes.get(g.dataset.node);
    if (b) g.dataset.status = boxStatus(b);
  }
}

function fit() {
  const L = st.graph.layout;
  st.view = [-4, -4, L.width + 8, L.height + 8];
  $('#graph').setAttribute('viewBox', st.view.join(' '));
}

// wheel: zoom around the pointer; drag: pan (the viewBox)
function panZoom() {
  const svg = $('#graph');
  svg.addEventListener('wheel', (ev) => {
    if (!st.view) return;
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    const [x, y, w, hh] = st.view, k = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    const fx = (ev.clientX - r.left) / r.width, fy = (ev.clientY - r.top) / r.height;
    st.view = [x + fx * w * (1 - k), y + fy * hh * (1 - k), w * k, hh * k];
    svg.setAttribute('viewBox', st.view.join(' '));
  }, { passive: false });
  let drag = null;
  svg.addEventListener('pointerdown', (ev) => { if (ev.target === svg || ev.target.classList?.contains('edge')) drag = [ev.clientX, ev.clientY, ...st.view]; });
  window.addEventListener('pointerup', () => { drag = null; });
  svg.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const r = svg.getBoundingClientRect();
    const scale = Math.max(drag[4] / r.width, drag[5] / r.height);
    st.view = [drag[2] - (ev.clientX - drag[0]) * scale, drag[3] - (ev.clientY - drag[1]) * scale, drag[4], drag[5]];
    svg.setAttribute('viewBox', st.view.join(' '));
  });
}

function legend() {
  $('#legend').replaceChildren(...STATUSES.map((x) => h('span', { style: `--c: var(--${x})`, 'data-legend': x }, x)));
}

// ---- the node panel ----

/** Shows a node's panel; `refresh`: the same node again after a run (the tab shown stays). */
async function openNode(id, refresh = false) {
  st.selected = id;
  for (const g of document.querySelectorAll('#graph g.node')) g.classList.toggle('selected', g.dataset.node === id);
  const panel = $('#panel');
  if (!refresh) { tab('panel'); panel.replaceChildren(h('p', { class: 'hint' }, `loading ${id} ...`)); }
  try {
    const p = q(); p.set('id', id);
    const n = await api(`/api/node?${p}`);
    if (st.selected === id) panel.replaceChildren(...nodePanel(n));
  } catch (e) { panel.replaceChildren(h('p', { class: 'error' }, e.message)); }
}

const kv = (pairs) => h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
const list = (xs, cls) => h('ul', { class: cls }, xs.map((x) => h('li', {}, x)));

function nodePanel(n) {
  const status = st.status[n.id] ?? (n.fresh ? 'fresh' : 'stale');
  const out = [
    h('h2', { 'data-panel-node': n.id }, n.id, ' ', h('span', { class: 'badge', style: `--c: var(--${status})`, 'data-panel-status': status }, status)),
    kv([['type', `${n.type} v${n.version}`], ['code', n.code.slice(0, 16)], ['matrix copy', Object.keys(n.branch ?? {}).length ? show(n.branch) : undefined],
      ['cache key', h('code', { 'data-key': n.key ?? '' }, n.key ?? '(unknown until upstream runs)')],
      ['runtime', n.record ? `${fmtMs(n.record.ms)} when it ran (${n.record.at}${n.record.machine ? ', on ' + n.record.machine : ''})` : undefined]]),
    h('h3', {}, 'Now'),
  ];
  if (n.fresh) out.push(h('p', {}, 'fresh: a cache hit', n.record && n.record.workflow ? ` (made by ${n.record.node} in ${n.record.workflow})` : ''));
  else out.push(h('p', {}, 'would run because:'), list(n.why, 'why'), n.roots.length ? h('p', {}, 'root cause:') : '', list(n.roots, 'roots'));
  out.push(h('h3', {}, 'Last run'));
  if (!n.last) out.push(h('p', { class: 'hint' }, 'none recorded for this workflow in this cache'));
  else {
    out.push(h('p', {}, `${n.last.status} at ${n.last.at}`));
    if (n.last.cutOff) out.push(h('p', {}, `early cut-off: ${n.last.cutOff.upstream.join(', ')} re-ran with byte-identical output`));
    const r = n.last.status === 'ran' ? n.last : n.last.lastRan;
    if (r) out.push(h('p', {}, n.last.status === 'ran' ? 'it ran because:' : `it last ran at ${r.at} because:`), list(r.why), r.roots.length ? h('p', {}, 'root cause:') : '', list(r.roots));
  }
  out.push(h('h3', {}, 'Outputs', n.outputsOf && n.outputsOf !== 'current' ? ` (${n.outputsOf})` : ''));
  if (!n.outputs.length) out.push(h('p', { class: 'hint' }, 'none in the cache yet: run the workflow'));
  for (const o of n.outputs) out.push(...outputView(o));
  out.push(h('h3', {}, 'Params'), h('pre', { 'data-params': '' }, JSON.stringify(n.params, null, 2)));
  out.push(h('h3', {}, 'Inputs'), kv(Object.entries(n.inputs).map(([p, refs]) => [p, refs.join(', ')])));
  const fp = n.fingerprint;
  out.push(h('h3', {}, 'Fingerprint'), kv([['engine', fp.engine], ['type', fp.type], ['version', fp.version], ['code', fp.code],
    ...Object.entries(fp.inputs).map(([p, x]) => [`inputs.${p}`, show(x)]), ...Object.entries(fp.files).map(([f, x]) => [`files.${f}`, x]),
    ['provenance', fp.provenance === undefined ? undefined : show(fp.provenance)], ['params', h('code', {}, show(fp.params))]]));
  return out;
}

function outputView(o) {
  const title = h('p', {}, h('b', {}, o.port), ` (${o.type}, ${o.size.toLocaleString()} bytes, ${o.hash.slice(0, 12)})`);
  if (o.error) return [title, h('p', { class: 'error' }, o.error)];
  if (o.table) {
    const t = o.table;
    return [title, h('p', {}, `${t.rows.toLocaleString()} rows x ${t.columns.length} columns; the first ${t.head.length}:`),
      h('div', { style: 'overflow:auto' }, h('table', { 'data-output': 'table' },
        h('tr', {}, t.columns.map((c) => h('th', { 'data-col': c.name }, c.name, h('small', {}, c.type)))),
        t.head.map((r) => h('tr', {}, r.map((v) => h('td', {}, fmtNum(v)))))))];
  }
  if (o.model) {
    const m = o.model, cols = ['estimate', 'std_error', 'statistic', 'p_value', 'conf_low', 'conf_high'];
    const parts = [title, h('p', {}, `estimator: ${m.estimator}`)];
    if (m.coefficients) parts.push(h('table', { 'data-output': 'coefficients' },
      h('tr', {}, h('th', {}, 'term'), cols.map((c) => h('th', {}, c))),
      m.coefficients.map((c) => h('tr', { 'data-term': c.term }, h('td', {}, c.term), cols.map((k) => h('td', { 'data-col': k, 'data-value': c[k] ?? '' }, fmtNum(c[k])))))));
    if (m.stats) parts.push(kv(Object.entries(m.stats).map(([k, v]) => [k, fmtNum(v)])));
    if (Object.keys(m.rest).length) parts.push(h('details', {}, h('summary', {}, 'the rest of the model JSON'), h('pre', {}, JSON.stringify(m.rest, null, 2))));
    if (o.json) parts.push(h('p', { class: 'hint' }, o.json));
    return parts;
  }
  if (o.report) {
    const r = o.report, parts = [title, h('p', {}, r.title ?? '', r.files.length ? ` (files: ${r.files.join(', ')})` : '')];
    for (const p of r.svg ?? []) parts.push(h('img', { class: 'plot', alt: p.name, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(p.text)}` }));
    if (r.html) { const f = h('iframe', { class: 'report', sandbox: '', title: r.html.name }); f.srcdoc = r.html.text; parts.push(f); }
    else if (r.md) parts.push(h('pre', {}, r.md.text));
    return parts;
  }
  return [title, h('pre', {}, o.json ?? '')];
}

// ---- history and compare ----

async function loadHistory() {
  try {
    const { runs } = await api('/api/history');
    st.runs = runs;
    $('#history').replaceChildren(runs.length ? h('table', { 'data-history': '' },
      h('tr', {}, ['when', 'workflow', '--set', 'ran', 'hit', 'failed', 'time', 'flow', 'commit'].map((x) => h('th', {}, x))),
      runs.map((r) => h('tr', { 'data-run': r.id }, h('td', {}, r.at.replace('T', ' ').slice(0, 19)), h('td', {}, r.workflow),
        h('td', {}, Object.entries(r.sets).map(([k, v]) => `${k}=${show(v)}`).join(' ')), h('td', {}, r.ran), h('td', {}, r.hit),
        h('td', {}, r.failed.length || ''), h('td', {}, fmtMs(r.ms)), h('td', {}, r.flow), h('td', {}, (r.commit ?? '').slice(0, 10))))) : h('p', { class: 'hint' }, 'no runs recorded in this cache yet'));
    fillSides();
  } catch (e) { $('#history').replaceChildren(h('p', { class: 'error' }, e.message)); }
}

function fillSides() {
  for (const [sel, pick] of [['#cmp-a', 0], ['#cmp-b', 1]]) {
    const e = $(sel), was = e.value;
    e.replaceChildren(
      h('optgroup', { label: 'branch files' }, st.branches.map((b) => h('option', { value: `branch:${b}` }, b))),
      h('optgroup', { label: 'runs (journal)' }, st.runs.filter((r) => r.details).map((r) => h('option', { value: `run:${r.id}` }, `${r.at.slice(0, 19)} ${r.workflow} ${Object.entries(r.sets).map(([k, v]) => `${k}=${show(v)}`).join(' ')}`))));
    if (was && [...e.options].some((o) => o.value === was)) e.value = was;
    else if (pick === 0) e.value = `branch:${st.workflow}`;
    else { const other = st.branches.find((b) => b !== st.workflow); if (other) e.value = `branch:${other}`; }
  }
}

function fillNodeChoices() {
  const e = $('#cmp-node'), was = e.value;
  const ids = Object.entries(st.graph.nodes).filter(([, n]) => n.outputs.some((t) => ['report', 'model', 'table', 'models'].includes(t))).map(([id]) => id);
  e.replaceChildren(...ids.map((id) => h('option', { value: id }, `${id} (${st.graph.nodes[id].type})`)));
  e.value = ids.includes(was) ? was : ids.includes('table2') ? 'table2' : ids[0] ?? '';
}

const sideOf = (v) => (v.startsWith('branch:') ? { branch: v.slice(7) } : { run: v.slice(4) });

async function compare() {
  const out = $('#cmp-result');
  out.replaceChildren(h('p', { class: 'hint' }, 'comparing (branches that are stale run first) ...'));
  try {
    const r = await api('/api/compare', { a: sideOf($('#cmp-a').value), b: sideOf($('#cmp-b').value), node: $('#cmp-node').value });
    out.replaceChildren(...compareView(r));
  } catch (e) { out.replaceChildren(h('p', { class: 'error' }, e.message)); }
}

function compareView(r) {
  const parts = [h('h3', {}, 'Param differences')];
  parts.push(r.params.length ? h('ul', { 'data-params-diff': '' }, r.params.map((p) => h('li', { 'data-field': p.field }, `${p.field}: ${show(p.a ?? '(unset)')} -> ${show(p.b ?? '(unset)')}`))) : h('p', { class: 'hint' }, 'none in the workflow params or --set overrides'));
  if (r.roots.length) parts.push(h('p', {}, 'nodes whose own fingerprint differs (the root causes):'), h('ul', { 'data-roots': '' }, r.roots.map((x) => h('li', { 'data-root': x.node }, `${x.node}: ${x.what.join('; ')}`))));
  if (r.missing?.length) return [...parts, h('p', { class: 'error' }, `no result of ${r.node} for: ${r.missing.join(', ')}`)];
  const changed = (r.changedA?.length ?? 0);
  parts.push(h('h3', {}, `${r.node}.${r.port}`), h('p', { 'data-cmp-summary': '' }, r.same ? 'identical (same artifact hash)' : `${changed} changed cell${changed === 1 ? '' : 's'} (highlighted)`));
  const grid = (g, marks) => {
    const set = new Set(marks);
    return h('table', { class: 'cmp-table' }, h('tr', {}, h('th', {}, ''), g.columns.map((c) => h('th', {}, c))),
      g.rows.map((row) => h('tr', { 'data-row': row.key }, h('th', {}, row.label), row.cells.map((c, i) => h('td', set.has(`${row.key}\t${i}`) ? { class: 'changed', 'data-changed': '1' } : {}, c)))));
  };
  parts.push(h('div', { class: 'cmp-sides' }, h('div', {}, h('p', {}, h('b', {}, 'A: '), r.a.label), grid(r.a.grid, r.changedA)), h('div', {}, h('p', {}, h('b', {}, 'B: '), r.b.label), grid(r.b.grid, r.changedB))));
  return parts;
}

function tab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('on', b.dataset.tab === name);
  for (const t of document.querySelectorAll('.tab')) t.hidden = t.id !== name;
}

// ---- live ----

function listen() {
  const es = new EventSource('/api/events');
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    const mine = st.graph && e.variant === st.graph.variant;
    if (e.type === 'node' && mine) {
      st.status[e.node] = e.status;
      paint();
    } else if (e.type === 'run') {
      const what = `${e.workflow}${Object.keys(e.sets).length ? ' ' + Object.entries(e.sets).map(([k, v]) => `--set ${k}=${show(v)}`).join(' ') : ''}`;
      if (e.phase === 'start') { say(`running ${what} ...`); $('#run').disabled = true; }
      else {
        $('#run').disabled = false;
        if (e.phase === 'end') { const x = e.summary; say(`${what}: ran ${x.ran.length}, hit ${x.hit.length}${x.failed.length ? `, failed ${x.failed.length}` : ''}${x.skipped.length ? `, skipped ${x.skipped.length}` : ''} in ${fmtMs(x.ms)}`); }
        else say(`${what}: ${e.error}`, true);
        if (mine) loadGraph().then(() => { if (st.selected) openNode(st.selected, true); });
        loadHistory();
      }
    } else if (e.type === 'changed' && st.graph && e.workflow === st.graph.workflow) {
      loadGraph().then(() => { if (st.selected) openNode(st.selected, true); });
      loadHistory();
    }
  };
}

async function start() {
  legend();
  panZoom();
  const w = await api('/api/workflows');
  st.branches = w.branches;
  st.workflow = w.workflows[0];
  $('#wf').replaceChildren(...w.workflows.map((x) => h('option', { value: x }, x)));
  $('#wf').addEventListener('change', () => { st.workflow = $('#wf').value; st.expanded.clear(); st.graph = null; st.selected = null; loadGraph(); fillSides(); });
  $('#sets').addEventListener('change', () => { st.sets = $('#sets').value; loadGraph(); });
  $('#run').addEventListener('click', async () => {
    st.sets = $('#sets').value;
    try {
      await loadGraph();
      await api('/api/run', { workflow: st.workflow, sets: st.sets });
    } catch (e) { say(e.message, true); }
  });
  $('#fit').addEventListener('click', () => st.graph && fit());
  $('#dir').addEventListener('click', () => { st.dir = { auto: 'LR', LR: 'TB', TB: 'auto' }[st.dir]; $('#dir').textContent = st.dir === 'auto' ? 'auto' : st.dir; loadGraph(); });
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => tab(b.dataset.tab));
  $('#cmp-go').addEventListener('click', compare);
  listen();
  await loadGraph();
  await loadHistory();
  document.body.dataset.ready = '1';
}

start().catch((e) => say(e.message, true));
