// The shipped yearbook (data/yrd26) as a user's raw files look: an Excel workbook with
// Chinese headers (merged group headers over sub-headers, a units row, "—" for missing,
// one column of numbers stored as text with thousands separators), one sheet per province
// plus a wide sheet of resident population (cities x years, under a title row), and the
// province table as a GBK CSV with Chinese headers and province names. Headers come from
// data/yrd26/names.csv read backwards, so workflows/paper-from-xlsx.json, which renames
// with that file, gets back exactly the shipped values (every number is written as the
// shortest text that reads back as the same double, or as the CSV's own digits).
//   npx tsx src/synth/workbook.ts [--data data/yrd26] [--out data/yrd26-xlsx]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

interface Csv { header: string[]; rows: string[][] }
const csv = (text: string): Csv => {
  const [h, ...rows] = text.trim().split('\n').map((l) => l.replace(/\r$/, '').split(','));
  return { header: h, rows };
};

/** variable -> yearbook header ("地区生产总值/第一产业") and unit, from names.csv */
function headers(namesCsv: string): Map<string, { zh: string; unit: string }> {
  const n = csv(namesCsv);
  const [f, t, u] = ['from', 'to', 'unit'].map((c) => n.header.indexOf(c));
  return new Map(n.rows.map((r) => [r[t], { zh: r[f], unit: r[u] ?? '' }]));
}

/** "1234567.89" -> "1,234,567.89" (the CSV's digits, so it reads back as the same double) */
const withSeparators = (s: string) => s.replace(/^(-?\d+)/, (i) => i.replace(/\B(?=(\d{3})+(?!\d))/g, ','));

export const STORED_AS_TEXT = 'retail_sales';
export const MISSING = '—';
/** the city sheets' columns: the city-year layout without city, province (joined from cities.csv) and pop (its own sheet) */
export const SHEET_VARS = ['year', 'va_primary', 'va_secondary', 'va_tertiary', 'emp_primary', 'emp_secondary', 'emp_tertiary',
  'fai_total', 'fai_computer_services', 'fai_software', 'fai_info_transmission_it', 'fai_utilities', 'fai_transport',
  'road_area', 'students', 'retail_sales', 'fiscal_exp', 'deposits', 'emp_finance', 'innovation_index', 'internet_subscribers', 'ai_patents', 'robot_exposure'] as const;

export interface WorkbookInputs { cityYear: string; provinceYear: string; cities: string; names: string; provinces: string }

export async function buildWorkbookFiles(inp: WorkbookInputs): Promise<{ 'yearbook.xlsx': Buffer; 'province_year.gbk.csv': Buffer }> {
  const H = headers(inp.names);
  const cy = csv(inp.cityYear), py = csv(inp.provinceYear), ci = csv(inp.cities), pv = csv(inp.provinces);
  const col = (d: Csv, c: string) => { const j = d.header.indexOf(c); if (j < 0) throw new Error(`no column ${c}`); return j; };
  const zhCity = new Map(ci.rows.map((r) => [r[col(ci, 'city')], r[col(ci, 'city_zh')]]));
  const zhProv = new Map(pv.rows.map((r) => [r[col(pv, 'province')], r[col(pv, 'province_zh')]]));
  const wb = new ExcelJS.Workbook();
  wb.creator = 'flow (src/synth/workbook.ts)';
  wb.created = wb.modified = new Date(Date.UTC(2020, 0, 1));

  const provinces = [...new Set(cy.rows.map((r) => r[col(cy, 'province')]))];
  for (const prov of provinces) {
    const ws = wb.addWorksheet(zhProv.get(prov)!.replace(/[省市]$/, ''));
    const vars = ['city', ...SHEET_VARS];
    const names = vars.map((v) => (v === 'city' ? '城市' : H.get(v)!.zh));
    // header rows 1-2: a group header merged over its columns, a single-level name merged down
    let c = 1;
    while (c <= names.length) {
      const [group, sub] = names[c - 1].split('/');
      if (sub === undefined) { ws.getCell(1, c).value = group; ws.mergeCells(1, c, 2, c); c++; continue; }
      let end = c;
      while (end < names.length && names[end].split('/')[0] === group && names[end].includes('/')) end++;
      ws.getCell(1, c).value = group;
      if (end > c) ws.mergeCells(1, c, 1, end);
      for (let k = c; k <= end; k++) ws.getCell(2, k).value = names[k - 1].split('/')[1];
      c = end + 1;
    }
    vars.forEach((v, j) => { const u = v === 'city' ? '' : H.get(v)!.unit; if (u) ws.getCell(3, j + 1).value = u; });
    let r = 4;
    for (const row of cy.rows.filter((x) => x[col(cy, 'province')] === prov)) {
      vars.forEach((v, j) => {
        const s = row[col(cy, v)];
        const cell = ws.getCell(r, j + 1);
        if (v === 'city') cell.value = zhCity.get(s)!;
        else if (s === '') cell.value = MISSING;
        else cell.value = v === STORED_AS_TEXT ? withSeparators(s) : Number(s);
      });
      r++;
    }
  }

  // resident population, wide: a title row, then 城市 | 2003 | ... | 2020
  const ws = wb.addWorksheet(H.get('pop')!.zh);
  const years = [...new Set(cy.rows.map((r) => r[col(cy, 'year')]))];
  ws.getCell(1, 1).value = `${H.get('pop')!.zh}（${H.get('pop')!.unit}）`;
  ws.mergeCells(1, 1, 1, years.length + 1);
  ws.getCell(2, 1).value = '城市';
  years.forEach((y, j) => { ws.getCell(2, j + 2).value = Number(y); });
  [...new Set(cy.rows.map((r) => r[col(cy, 'city')]))].forEach((city, i) => {
    ws.getCell(3 + i, 1).value = zhCity.get(city)!;
    years.forEach((y, j) => {
      const row = cy.rows.find((x) => x[col(cy, 'city')] === city && x[col(cy, 'year')] === y)!;
      ws.getCell(3 + i, j + 2).value = Number(row[col(cy, 'pop')]);
    });
  });

  // the province table: GBK, Chinese headers (groups flattened with "/"), Chinese names
  const pvars = ['province', ...py.header.filter((h) => h !== 'province')];
  const lines = [pvars.map((v) => (v === 'province' ? H.get('province_zh')!.zh : H.get(v)!.zh)).join(',')];
  for (const row of py.rows) lines.push(pvars.map((v) => (v === 'province' ? zhProv.get(row[col(py, v)])! : row[col(py, v)])).join(','));
  return {
    'yearbook.xlsx': Buffer.from(await wb.xlsx.writeBuffer()),
    'province_year.gbk.csv': iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk'),
  };
}

export async function main(argv: string[]): Promise<void> {
  const get = (name: string, d: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : d; };
  const data = get('--data', 'data/yrd26'), out = get('--out', 'data/yrd26-xlsx');
  const files = await buildWorkbookFiles({
    cityYear: readFileSync(join(data, 'city_year.csv'), 'utf8'),
    provinceYear: readFileSync(join(data, 'province_year.csv'), 'utf8'),
    cities: readFileSync(join(data, 'cities.csv'), 'utf8'),
    names: readFileSync(join(data, 'names.csv'), 'utf8'),
    provinces: readFileSync(join(out, 'provinces.csv'), 'utf8'),
  });
  mkdirSync(out, { recursive: true });
  for (const [f, b] of Object.entries(files)) { writeFileSync(join(out, f), b); process.stdout.write(`wrote ${join(out, f)}\n`); }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
