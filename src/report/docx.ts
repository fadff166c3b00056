// Grid -> Word (.docx) with the `docx` package: the same layout as the LaTeX table (title,
// merged header rows, SE on the row below, rules between blocks, no vertical lines,
// notes below), landscape for wide tables. Journals in the field take Word manuscripts.
// `docx` stamps the creation time into docProps/core.xml and the zip entries; the
// package is re-zipped with a fixed time so that the same grid gives the same bytes
// (artifacts are content-hashed). Loaded on first use: it is large and most runs need no Word file.
import { unzipSync, zipSync, strFromU8, strToU8 } from 'fflate';
import { runs, type Grid, type GridRow } from './grid.js';

/** the time written into the document and the zip entries (any fixed value keeps bytes stable) */
const FIXED_TIME = '2000-01-01T00:00:00Z';
const MINUS = /(^|[\s([{])-(?=\d|\.\d)/g;
const PT = 2; // docx font sizes are in half-points

/** Render the grid as a .docx, returned as base64 (report files are strings). */
export async function toDocxBase64(g: Grid): Promise<string> {
  const d = await import('docx');
  const k = g.columns.length;
  const landscape = k > 6 || !!g.latex?.landscape;
  const line = { style: d.BorderStyle.SINGLE, size: 4, color: '000000' };
  const thick = { style: d.BorderStyle.SINGLE, size: 12, color: '000000' };
  const none = { style: d.BorderStyle.NONE, size: 0, color: 'FFFFFF' };
  const text = (s: string, o: { italic?: boolean; bold?: boolean; size?: number } = {}) =>
    new d.TextRun({ text: s.replace(MINUS, '$1\u2212'), italics: o.italic, bold: o.bold, size: (o.size ?? 9) * PT });
  type Edge = 'thick' | 'line' | undefined;
  const cell = (s: string, o: { span?: number; align?: 'left' | 'center'; italic?: boolean; top?: Edge; bottom?: Edge } = {}) =>
    new d.TableCell({
      columnSpan: o.span && o.span > 1 ? o.span : undefined,
      borders: {
        top: o.top === 'thick' ? thick : o.top === 'line' ? line : none,
        bottom: o.bottom === 'thick' ? thick : o.bottom === 'line' ? line : none,
        left: none, right: none,
      },
      children: [new d.Paragraph({ alignment: o.align === 'left' ? d.AlignmentType.LEFT : d.AlignmentType.CENTER, children: [text(s, { italic: o.italic })] })],
    });

  const rows: InstanceType<typeof d.TableRow>[] = [];
  // header: merged header rows, then the numbers (rule above the first, below the last)
  const heads = g.heads ?? [];
  heads.forEach((h, i) => {
    rows.push(new d.TableRow({
      tableHeader: true,
      children: [cell(h.label, { align: 'left', top: i === 0 ? 'thick' : undefined }),
        ...runs(h.cells).map(([t, n]) => cell(t, { span: n, top: i === 0 ? 'thick' : undefined, bottom: t && n > 1 ? 'line' : undefined }))],
    }));
  });
  const top: Edge = heads.length ? undefined : 'thick';
  rows.push(new d.TableRow({ tableHeader: true, children: [cell(g.stub, { align: 'left', top, bottom: 'line' }), ...g.columns.map((c) => cell(c, { top, bottom: 'line' }))] }));

  // body: a rule row becomes a line above the next row
  const body = g.rows;
  let ruleAbove = false;
  const last = lastContentIndex(body);
  body.forEach((r, i) => {
    if (r.kind === 'rule') { ruleAbove = true; return; }
    const t: Edge = ruleAbove ? 'line' : undefined;
    const b: Edge = i === last ? 'thick' : undefined;
    ruleAbove = false;
    switch (r.kind) {
      case 'coef':
        rows.push(new d.TableRow({ children: [cell(r.label, { align: 'left', top: t }), ...r.est.map((e) => cell(e, { top: t }))] }));
        rows.push(new d.TableRow({ children: [cell('', { bottom: b }), ...r.se.map((s) => cell(s ? `(${s})` : '', { bottom: b }))] }));
        break;
      case 'stat':
        rows.push(new d.TableRow({ children: [cell(r.label, { align: 'left', top: t, bottom: b }), ...r.cells.map((c) => cell(c, { top: t, bottom: b }))] }));
        break;
      case 'panel':
        rows.push(new d.TableRow({ children: [cell(r.label, { span: k + 1, align: 'left', italic: true, top: t, bottom: b })] }));
        break;
      case 'span':
        rows.push(new d.TableRow({ children: [cell(r.label, { align: 'left', top: t, bottom: b }), cell(r.text, { span: k, align: 'left', top: t, bottom: b })] }));
        break;
      default:
        r satisfies never;
    }
  });

  const children = [
    ...(g.title ? [new d.Paragraph({ spacing: { after: 120 }, children: [text(g.title, { bold: true, size: 10 })] })] : []),
    new d.Table({ rows, width: { size: 100, type: d.WidthType.PERCENTAGE } }),
    ...g.notes.map((n) => new d.Paragraph({ spacing: { before: 60 }, children: [text(n, { size: 8 })] })),
  ];
  const doc = new d.Document({
    creator: 'flow', title: g.title ?? g.name,
    sections: [{ properties: { page: { size: { orientation: landscape ? d.PageOrientation.LANDSCAPE : d.PageOrientation.PORTRAIT } } }, children }],
  });
  return Buffer.from(stableZip(await d.Packer.toBuffer(doc))).toString('base64');
}

function lastContentIndex(rows: GridRow[]): number {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i].kind !== 'rule') return i;
  return -1;
}

/** Re-zip with fixed timestamps (zip entries and docProps/core.xml), entries in name order. */
function stableZip(bytes: Uint8Array): Uint8Array {
  const files = unzipSync(bytes);
  const core = files['docProps/core.xml'];
  if (core) {
    files['docProps/core.xml'] = strToU8(strFromU8(core).replace(/(<dcterms:(?:created|modified)[^>]*>)[^<]*(<\/dcterms:)/g, `$1${FIXED_TIME}$2`));
  }
  // local-time components: the zip's DOS times are then the same in every time zone
  const mtime = new Date(2000, 0, 1, 0, 0, 0);
  // [Content_Types].xml first, as Word expects; the rest sorted
  const names = Object.keys(files).sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return zipSync(Object.fromEntries(names.map((n) => [n, [files[n], { mtime, level: 6 }]])));
}
