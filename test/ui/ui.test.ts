// flow ui in a real headless Chromium (Debian's chromium, driven by playwright-core; no
// browser download): the compiled CLI serves paper.json on a cold temp cache; a run started
// from the page turns every box `ran`, a second one `hit`; a run from a terminal on the same
// cache is picked up; fe_ris's panel shows the model's coefficients as stored in the cache;
// the comparison of robust-delta.json with paper.json (as branch files, then as two runs of
// the journal) highlights changed cells and names delta; multiverse.json's copies are collapsed into x24 boxes that expand on click.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, FLOW } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';
import type { BrowserContext, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const why = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install chromium; .ci/run installs it)`;
if (why) console.warn(`test/ui/ui.test.ts skipped: ${why}`);

let server: ChildProcess | undefined, browser: BrowserContext | undefined, page: Page, url = '';
const tmp = mkdtempSync(join(tmpdir(), 'flow-ui-'));
const cache = join(tmp, 'cache');

/** The model JSON of a node's last run of paper.json, read from the cache files. */
function modelOf(node: string): { coefficients: { term: string; estimate: number }[] } {
  const states = readdirSync(join(cache, 'state')).map((f) => JSON.parse(readFileSync(join(cache, 'state', f), 'utf8')));
  const key = states.find((s) => s.workflow === 'workflows/paper.json').nodes[node].key as string;
  const rec = JSON.parse(readFileSync(join(cache, 'keys', key.slice(0, 2), `${key.slice(2)}.json`), 'utf8'));
  const h = rec.outputs.model.hash as string;
  return JSON.parse(readFileSync(join(cache, 'objects', h.slice(0, 2), h.slice(2)), 'utf8'));
}

const statuses = () => page.$$eval('#graph [data-node]', (els) => els.map((e) => e.getAttribute('data-status')));
const allAre = (s: string, ms: number) => page.waitForFunction((x) => {
  const els = [...document.querySelectorAll('#graph [data-node]')];
  return els.length > 0 && els.every((e) => e.getAttribute('data-status') === x);
}, s, { timeout: ms });

describe.skipIf(!!why)(`flow ui in headless Chromium${why ? ` (skipped: ${why})` : ''}`, () => {
  beforeAll(async () => {
    await ensureBuilt();
    server = spawn(process.execPath, [FLOW, 'ui', 'workflows/paper.json', 'workflows/multiverse.json', '--port', '0', '--cache', cache, '--no-out'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stderr!.on('data', (d) => { log += d; });
    url = await new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`flow ui printed no URL in 30 s:\n${log}`)), 30_000);
      server!.stdout!.on('data', (d) => { log += d; const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(log); if (m) { clearTimeout(t); res(m[0]); } });
      server!.on('exit', (c) => rej(new Error(`flow ui exited (${c}):\n${log}`)));
    });
    const { chromium } = await import('playwright-core');
    // a fresh --user-data-dir (playwright passes it for a persistent context)
    browser = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? await browser.newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('draws every node of paper.json, stale on a cold cache, with a legend, fitted to the viewport', async () => {
    const s = await statuses();
    expect(s.length).toBeGreaterThan(30);
    expect(new Set(s)).toEqual(new Set(['stale']));
    expect(await page.$$eval('#legend [data-legend]', (els) => els.map((e) => e.getAttribute('data-legend')))).toEqual(['fresh', 'stale', 'running', 'ran', 'hit', 'failed', 'skipped']);
    const box = await page.$eval('#graph', (e) => { const r = e.getBoundingClientRect(); const b = (e as SVGGraphicsElement).getBBox(); return { w: r.width, vb: e.getAttribute('viewBox'), bw: b.width }; });
    expect(box.w).toBeLessThanOrEqual(1400);
    expect(box.vb).toBeTruthy();
  });

  it('runs from the page: every box ran, then hit on a second run', async () => {
    await page.click('#run');
    await allAre('ran', 120_000);
    await page.waitForFunction(() => !(document.querySelector('#run') as HTMLButtonElement).disabled, undefined, { timeout: 30_000 });
    await page.click('#run');
    await allAre('hit', 120_000);
  }, 300_000);

  it('picks up a run from a terminal on the same cache', async () => {
    await page.waitForFunction(() => !(document.querySelector('#run') as HTMLButtonElement).disabled, undefined, { timeout: 30_000 });
    const r = spawnSync(process.execPath, [FLOW, 'run', 'workflows/paper.json', '--cache', cache, '--no-out', '--force', 'fe_ris'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    await page.waitForSelector('#graph [data-node="fe_ris"][data-status="ran"]', { timeout: 30_000 });
    expect(await page.getAttribute('#graph [data-node="raw"]', 'data-status')).toBe('hit');
  }, 60_000);

  it("shows a model node's coefficients as stored in the cache", async () => {
    await page.click('#graph [data-node="fe_ris"]');
    const cellSel = '#panel [data-output="coefficients"] [data-term="lnINF"] [data-col="estimate"]';
    await page.waitForSelector(cellSel, { timeout: 30_000 });
    const shown = Number(await page.getAttribute(cellSel, 'data-value'));
    const stored = modelOf('fe_ris').coefficients.find((c) => c.term === 'lnINF')!.estimate;
    expect(shown).toBe(stored);
    expect(await page.textContent(cellSel)).toBe(stored.toFixed(6));
    expect(await page.textContent('#panel')).toMatch(/cache key/);
  }, 60_000);

  it('compares robust-delta.json with paper.json: changed cells highlighted, delta among the param differences', async () => {
    await page.click('#tabs [data-tab="compare"]');
    await page.selectOption('#cmp-a', 'branch:workflows/paper.json');
    await page.selectOption('#cmp-b', 'branch:workflows/robust-delta.json');
    await page.selectOption('#cmp-node', 'table2');
    await page.click('#cmp-go');
    await page.waitForSelector('#cmp-result td.changed', { timeout: 180_000 });
    expect(await page.$$eval('#cmp-result [data-row="lnINF"] td.changed', (els) => els.length)).toBeGreaterThan(0);
    const fields = await page.$$eval('#cmp-result [data-params-diff] li', (els) => els.map((e) => e.getAttribute('data-field')));
    expect(fields).toContain('params.delta');
  }, 240_000);

  it('compares two runs of the journal: the same cells change, stock is a root cause', async () => {
    const runOption = (wf: string) => page.waitForFunction((w) => [...document.querySelectorAll('#cmp-a option')].find((o) => (o as HTMLOptionElement).value.startsWith('run:') && o.textContent!.includes(w))?.getAttribute('value'), wf, { timeout: 30_000 }).then((h) => h.jsonValue() as Promise<string>);
    await page.selectOption('#cmp-a', await runOption('workflows/paper.json'));
    await page.selectOption('#cmp-b', await runOption('workflows/robust-delta.json'));
    await page.selectOption('#cmp-node', 'table2');
    await page.click('#cmp-go');
    await page.waitForSelector('#cmp-result [data-roots]', { timeout: 60_000 });
    expect(await page.$$eval('#cmp-result [data-row="lnINF"] td.changed', (els) => els.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#cmp-result [data-root]', (els) => els.map((e) => e.getAttribute('data-root')))).toContain('stock');
    expect(await page.$$eval('#cmp-result [data-params-diff] li', (els) => els.map((e) => e.getAttribute('data-field')))).toContain('params.delta');
  }, 120_000);

  it("collapses multiverse.json's matrix copies into x24 boxes that expand on click", async () => {
    await page.selectOption('#wf', 'workflows/multiverse.json');
    await page.waitForSelector('#graph [data-node="sdm_ris"][data-count="24"]', { timeout: 60_000 });
    expect(await page.textContent('#graph [data-node="sdm_ris"]')).toMatch(/x24/);
    await page.click('#graph [data-node="sdm_ris"]');
    await page.waitForFunction(() => document.querySelectorAll('#graph [data-node^="sdm_ris["]').length === 24, undefined, { timeout: 60_000 });
    await page.screenshot({ path: join(tmp, 'multiverse.png') });
  }, 120_000);
});
