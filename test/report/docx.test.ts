// The Word export, read back: unzip the .docx, walk word/document.xml's rows and cells,
// and compare them with the grid every other format renders.
import { describe, it, expect, beforeAll } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { tableNode, tableParams } from '../../src/nodes/table.js';
import { fitSubgroups } from '../../src/nodes/subgroup.js';
import type { Grid } from '../../src/report/grid.js';
import { feA, iv, sdm, grunfeld } from './fixtures.js';

interface Cell { text: string; span: number }
interface DocxRead { paragraphsBefore: string[]; rows: Cell[][]; paragraphsAfter: string[]; landscape: boolean; core: string }

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const textOf = (xml: string) => [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unescape(m[1])).join('');

function readDocx(b64: string): DocxRead {
  const files = unzipSync(Buffer.from(b64, 'base64'));
  const doc = strFromU8(files['word/document.xml']);
  const body = doc.slice(doc.indexOf('<w:body>'));
  const tbl = body.slice(body.indexOf('<w:tbl>'), body.indexOf('</w:tbl>'));
  const paras = (s: string) => [...s.matchAll(/<w:p>.*?<\/w:p>|<w:p [^>]*>.*?<\/w:p>/gs)].map((m) => textOf(m[0])).filter(Boolean);
  const rows = [...tbl.matchAll(/<w:tr>.*?<\/w:tr>|<w:tr [^>]*>.*?<\/w:tr>/gs)].map((tr) =>
    [...tr[0].matchAll(/<w:tc>(.*?)<\/w:tc>/gs)].map((tc) => ({ text: textOf(tc[1]), span: Number(/<w:gridSpan w:val="(\d+)"/.exec(tc[1])?.[1] ?? 1) })));
  return {
    paragraphsBefore: paras(body.slice(0, body.indexOf('<w:tbl>'))),
    rows,
    paragraphsAfter: paras(body.slice(body.indexOf('</w:tbl>'))),
    landscape: /w:orient="landscape"/.test(doc),
    core: strFromU8(files['docProps/core.xml']),
  };
}

const minus = (s: string) => s.replace(/(^|[\s([{])-(?=\d|\.\d)/g, '$1\u2212');
/** the rows the grid says the document must hold, cell by cell */
function expectedRows(g: Grid): Cell[][] {
  const k = g.columns.length;
  const runs = (cells: string[]) => cells.reduce<Cell[]>((a, c) => { const l = a[a.length - 1]; if (l && l.text === c) l.span++; else a.push({ text: c, span: 1 }); return a; }, []);
  const one = (t: string): Cell => ({ text: minus(t), span: 1 });
  const out: Cell[][] = [];
  for (const h of g.heads ?? []) out.push([one(h.label), ...runs(h.cells).map((c) => ({ ...c, text: minus(c.text) }))]);
  out.push([one(g.stub), ...g.columns.map(one)]);
  for (const r of g.rows) {
    switch (r.kind) {
      case 'coef': out.push([one(r.label), ...r.est.map(one)], [one(''), ...r.se.map((s) => one(s ? `(${s})` : ''))]); break;
      case 'stat': out.push([one(r.label), ...r.cells.map(one)]); break;
      case 'panel': out.push([{ text: r.label, span: k + 1 }]); break;
      case 'span': out.push([one(r.label), { text: minus(r.text), span: k }]); break;
      case 'rule': break;
    }
  }
  return out;
}

const runTable = async (models: unknown[], params: Record<string, unknown>, nodeId = 't') =>
  ((await tableNode.run({ params: tableParams.parse(params), inputs: { models }, nodeId, resolvePath: (p: string) => p } as any)) as any).report;

describe('table -> .docx (the docx package), read back', () => {
  const data = grunfeld.derive({ size: (d: any) => (d.firm <= 5 ? 'large' : 'small') });
  const sub = fitSubgroups(data, { y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' }, by: 'size' } as any);
  let rep: any, grid: Grid, doc: DocxRead;
  beforeAll(async () => {
    rep = await runTable([feA, iv, sdm, sub], { title: 'Table 3: Word export', branch: 'baseline', format: ['docx', 'md'] });
    grid = rep.parts[0].grid;
    doc = readDocx(rep.binary['t.docx']);
  });

  it('writes t.docx beside the text formats', () => {
    expect(Object.keys(rep.binary)).toEqual(['t.docx']);
    expect(Object.keys(rep.files)).toEqual(['t.md']);
  });

  it('holds the title, then every row and cell of the grid (header rows merged, SE rows, panels and spanning rows), then every note', () => {
    expect(doc.paragraphsBefore).toEqual(['Table 3: Word export (baseline)']);
    const want = expectedRows(grid);
    expect(doc.rows.length).toBe(want.length);
    doc.rows.forEach((r, i) => expect(r, `row ${i}: ${want[i].map((c) => c.text).join(' | ')}`).toEqual(want[i]));
    expect(doc.paragraphsAfter).toEqual(grid.notes.map(minus));
    // the pieces the reader looks for
    const flat = doc.rows.map((r) => r.map((c) => c.text));
    expect(flat.find((r) => r[0] === 'Estimator')).toEqual(['Estimator', 'FE', 'IV-2SLS', 'SDM (ML)', 'FE']);
    expect(doc.rows.find((r) => r[0].text.startsWith('Equal value across size'))![1].span).toBe(grid.columns.length);
    expect(flat.some((r) => r[0] === 'KP rk Wald F {Stock-Yogo 10%}' && r[2] === '64.240 {16.38}')).toBe(true);
  });

  it('is portrait up to six columns, landscape beyond', async () => {
    expect(doc.landscape).toBe(false);
    const wide = await runTable([feA, feA, feA, feA, feA, feA, feA], { format: 'docx' });
    expect(readDocx(wide.binary['t.docx']).landscape).toBe(true);
  });

  it('gives the same bytes for the same grid (no creation time): artifacts are content-hashed', async () => {
    const again = await runTable([feA, iv, sdm, sub], { title: 'Table 3: Word export', branch: 'baseline', format: ['docx', 'md'] });
    expect(again.binary['t.docx']).toBe(rep.binary['t.docx']);
    expect(doc.core).toContain('2000-01-01T00:00:00Z');
    expect(doc.core).not.toMatch(/20[1-9]\d-\d\d-\d\dT/);
  });
});
