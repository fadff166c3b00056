// The HTML reports of workflows/paper.json and workflows/multiverse.json in a real headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser download) at
// 1400 px: screenshots of the top, the DAG, a table and the specification curve go to a temp
// dir (or $FLOW_REPORT_SHOTS, kept), and the layout is checked on element boxes (not pixels): no element is wider than the
// page, every figure fits the text column on screen and in print, and every DAG box links
// to an element of the page. Skipped, with a message, where chromium is not installed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, flow } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
if (!HAVE) console.warn(`report-layout: skipped, ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir = '';
let shots = '';
let browser: import('playwright-core').BrowserContext | undefined;

beforeAll(async () => {
  if (!HAVE) return;
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'flow-report-layout-'));
  shots = process.env.FLOW_REPORT_SHOTS ?? join(dir, 'screenshots'); // set it to keep them
  for (const wf of ['paper', 'multiverse']) {
    const r = flow(['run', `workflows/${wf}.json`, '--cache', join(dir, 'cache'), '--out', join(dir, wf)], REPO);
    if (r.code !== 0) throw new Error(`flow run ${wf}.json exited ${r.code}\n${r.stderr}`);
  }
  const { chromium } = await import('playwright-core');
  browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 },
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** elements wider than the page, or reaching past its edges: tag, class, width */
const OVERFLOW = `(() => {
  const cw = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.width > cw + 0.5 || r.right > cw + 0.5 || r.left < -0.5) bad.push(el.tagName + '.' + (el.getAttribute('class') || '') + ' ' + Math.round(r.width));
  }
  return { cw, scrollWidth: document.documentElement.scrollWidth, bad };
})()`;

/** HTML elements whose content is wider than their box (a sideways scroll: cut on screen and in print) */
const SCROLLS = `[...document.body.querySelectorAll('*')].filter((el) => el instanceof HTMLElement && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1).map((el) => el.tagName + '.' + el.className + ' ' + el.scrollWidth + '>' + el.clientWidth)`;

/** figures (svg) that do not fit the text column */
const FIGURES = `(() => {
  const body = document.body.getBoundingClientRect();
  const pad = parseFloat(getComputedStyle(document.body).paddingRight) || 0;
  return [...document.querySelectorAll('.figure svg')].map((s) => { const r = s.getBoundingClientRect(); return { cls: s.getAttribute('class'), left: r.left, right: r.right, width: r.width, height: r.height, colLeft: body.left, colRight: body.right - pad + 0.5 }; });
})()`;

async function open(wf: string) {
  const page = await browser!.newPage();
  await page.goto(pathToFileURL(join(dir, wf, 'report', `${wf}.html`)).href);
  return page;
}

describe.skipIf(!HAVE)('the HTML report in headless Chromium at 1400 px', () => {
  for (const wf of ['paper', 'multiverse']) {
    it(`${wf}.html: screenshots of top, DAG, a table and a figure; no element wider than the page`, async () => {
      const page = await open(wf);
      await page.screenshot({ path: join(shots, `${wf}-top.png`) });
      await page.locator('.figure.dag').screenshot({ path: join(shots, `${wf}-dag.png`) });
      await page.locator('.table-wrap').first().screenshot({ path: join(shots, `${wf}-table.png`) });
      const figure = wf === 'multiverse' ? page.locator('svg.spec-curve').first() : page.locator('.figure svg').nth(1);
      await figure.screenshot({ path: join(shots, `${wf}-${wf === 'multiverse' ? 'spec-curve' : 'figure'}.png`) });
      for (const f of ['top', 'dag', 'table']) expect(existsSync(join(shots, `${wf}-${f}.png`))).toBe(true);

      const o = await page.evaluate(OVERFLOW) as { cw: number; scrollWidth: number; bad: string[] };
      expect(o.cw).toBeGreaterThan(1300);
      expect(o.bad).toEqual([]);
      expect(o.scrollWidth).toBeLessThanOrEqual(o.cw);
      // every figure inside the text column, and the DAG shown whole: no blank band above its first box
      const figs = await page.evaluate(FIGURES) as { cls: string; left: number; right: number; width: number; height: number; colLeft: number; colRight: number }[];
      expect(figs.length).toBeGreaterThan(1);
      for (const f of figs) {
        expect(f.right, f.cls).toBeLessThanOrEqual(f.colRight);
        expect(f.left, f.cls).toBeGreaterThanOrEqual(f.colLeft);
      }
      // the provenance details opened: still nothing wider than the page, nothing scrolls sideways
      await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
      expect((await page.evaluate(OVERFLOW) as { bad: string[] }).bad).toEqual([]);
      expect(await page.evaluate(SCROLLS)).toEqual([]);
      const gap = await page.evaluate(`(() => { const s = document.querySelector('svg.flow-dag').getBoundingClientRect(); const b = [...document.querySelectorAll('svg.flow-dag rect')].map((r) => r.getBoundingClientRect().top); return Math.min(...b) - s.top; })()`) as number;
      expect(gap).toBeLessThan(20);
      await page.close();
    }, 60_000);

    it(`${wf}.html: every DAG box links to an element of the report; figures fit the printed page`, async () => {
      const page = await open(wf);
      const links = await page.evaluate(`[...document.querySelectorAll('svg.flow-dag a')].map((a) => [a.getAttribute('href'), !!document.getElementById(a.getAttribute('href').slice(1))])`) as [string, boolean][];
      expect(links.length).toBeGreaterThan(10);
      expect(links.filter(([, ok]) => !ok)).toEqual([]);
      expect(links.some(([h]) => h.startsWith('#part-'))).toBe(true);
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 720, height: 1000 }); // about an A4 page's text width at 96 dpi
      const o = await page.evaluate(OVERFLOW) as { cw: number; bad: string[] };
      const figs = await page.evaluate(FIGURES) as { cls: string; right: number }[];
      for (const f of figs) expect(f.right, f.cls).toBeLessThanOrEqual(o.cw);
      await page.close();
    }, 60_000);
  }

  it('multiverse.html: the DAG draws one box per declared node, marked with its number of copies', async () => {
    const page = await open('multiverse');
    const boxes = await page.evaluate(`[...document.querySelectorAll('svg.flow-dag [data-node]')].map((g) => [g.getAttribute('data-node'), Number(g.getAttribute('data-count') || 1)])`) as [string, number][];
    const counts = Object.fromEntries(boxes);
    expect(boxes.length).toBe(30);
    expect(counts).toMatchObject({ sdm_ris: 24, sdm_ais: 24, fe_ris: 8, iv_ais: 8, w: 3, stock: 4, raw: 1, report: 1 });
    expect(await page.locator('svg.flow-dag text', { hasText: 'x24' }).count()).toBe(2);
    await page.close();
  }, 60_000);
});
