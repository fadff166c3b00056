// load-xlsx on workbooks built here with exceljs, laid out as city yearbook tables are:
// merged group headers over sub-headers, a units row, "—" for missing, numbers stored as
// text, a city cell merged down over its years, a title row above the table.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type * as aq from 'arquero';
import { loadXlsx, loadXlsxParams } from '../../src/nodes/load-xlsx.js';
import { numberFromText, colLetter } from '../../src/io/xlsx.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'flow-xlsx-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Setup = (wb: ExcelJS.Workbook) => void;
/** cells of row r from column A */
const setRow = (ws: ExcelJS.Worksheet, r: number, values: ExcelJS.CellValue[]) => values.forEach((v, i) => { if (v !== undefined) ws.getCell(r, i + 1).value = v; });
async function book(name: string, setup: Setup): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  setup(wb);
  const b = Buffer.from(await wb.xlsx.writeBuffer());
  writeFileSync(join(dir, name), b);
  return b;
}
const run = async (params: unknown) => (await loadXlsx.run({
  params: loadXlsxParams.parse(params), inputs: {}, resolvePath: (p) => join(dir, p), nodeId: 'xl',
  readFile: (p: string) => readFileSync(join(dir, p)),
})) as { table: aq.ColumnTable };

/** 城市 | 年份 | 地区生产总值 (第一/第二/第三产业) | 从业人员 (第一/第二产业), units row, data from row 4 */
const yearbook: Setup = (wb) => {
  const ws = wb.addWorksheet('江苏');
  ws.getCell('A1').value = '城市'; ws.mergeCells('A1:A2');
  ws.getCell('B1').value = '年份'; ws.mergeCells('B1:B2');
  ws.getCell('C1').value = '地区生产总值'; ws.mergeCells('C1:E1');
  ws.getCell('C2').value = '第一产业'; ws.getCell('D2').value = '第二产业'; ws.getCell('E2').value = '第三产业';
  ws.getCell('F1').value = '从业人员'; ws.mergeCells('F1:G1');
  ws.getCell('F2').value = '第一产业'; ws.getCell('G2').value = '第二\n产业';
  ['', '', '亿元', '亿元', '亿元', '万人', '万人'].forEach((u, i) => { ws.getCell(3, i + 1).value = u || null; });
  ws.getCell('A4').value = '南京'; ws.mergeCells('A4:A5'); // the city over its two years
  setRow(ws, 4, [undefined, 2019, 1.5, '1,234.5', { formula: 'D4*2', result: 2469 }, 12.25, '—']);
  setRow(ws, 5, [undefined, 2020, '', ' 2,000 ', 3000, 13, 40]);
  setRow(ws, 6, [{ richText: [{ text: '无' }, { text: '锡' }] }, 2020, 2, 3, 4, '-', 41]);
};

describe('load-xlsx', () => {
  it('names columns from merged two-row headers, skips the units row, fills a merged city cell down, reads numbers stored as text', async () => {
    await book('yb.xlsx', yearbook);
    const t = (await run({ path: 'yb.xlsx', sheet: '江苏', headerRows: 2, unitsRow: true, expectUnits: { '地区生产总值/第一产业': '亿元', '从业人员/第二 产业': '万人' } })).table;
    expect(t.columnNames()).toEqual(['城市', '年份', '地区生产总值/第一产业', '地区生产总值/第二产业', '地区生产总值/第三产业', '从业人员/第一产业', '从业人员/第二 产业']);
    expect(t.array('城市')).toEqual(['南京', '南京', '无锡']);
    expect(t.column('年份')).toBeInstanceOf(Float64Array);
    expect(Array.from(t.array('年份') as Float64Array)).toEqual([2019, 2020, 2020]);
    expect(Array.from(t.array('地区生产总值/第一产业') as Float64Array)).toEqual([1.5, NaN, 2]);
    expect(Array.from(t.array('地区生产总值/第二产业') as Float64Array)).toEqual([1234.5, 2000, 3]);
    expect(Array.from(t.array('地区生产总值/第三产业') as Float64Array)).toEqual([2469, 3000, 4]);
    expect(Array.from(t.array('从业人员/第一产业') as Float64Array)).toEqual([12.25, 13, NaN]);
    expect(Array.from(t.array('从业人员/第二 产业') as Float64Array)).toEqual([NaN, 40, 41]);
  });

  it('a sheet by position, a range below a title row, headerRows 0 (columns A, B, ...), declared string columns', async () => {
    await book('wide.xlsx', (wb) => {
      wb.addWorksheet('说明').getCell('A1').value = 'notes';
      const ws = wb.addWorksheet('年末常住人口');
      ws.getCell('A1').value = '表 2 年末常住人口（万人）'; ws.mergeCells('A1:D1');
      setRow(ws, 2, ['城市', 2019, 2020, '代码']);
      setRow(ws, 3, ['上海', 2428.14, '2,487.09', 310000]);
      setRow(ws, 4, ['南京', 850, 931.97, '320100']);
      ws.getCell('A6').value = '注：2020 年为普查数。';
    });
    const t = (await run({ path: 'wide.xlsx', sheet: 2, range: 'A2:C4', columns: { '城市': 'string' } })).table;
    expect(t.columnNames()).toEqual(['城市', '2019', '2020']);
    expect(Array.from(t.array('2020') as Float64Array)).toEqual([2487.09, 931.97]);
    const codes = (await run({ path: 'wide.xlsx', sheet: '年末常住人口', range: 'A2:D4', columns: { '代码': 'string' } })).table;
    expect(codes.array('代码')).toEqual(['310000', '320100']);
    const letters = (await run({ path: 'wide.xlsx', sheet: 2, range: 'A3:C4', headerRows: 0 })).table;
    expect(letters.columnNames()).toEqual(['A', 'B', 'C']);
  });

  it('a sheet name typo names the sheets and the likely one', async () => {
    await expect(run({ path: 'yb.xlsx', sheet: '江苏省' })).rejects.toThrow('yb.xlsx: no sheet "江苏省" (did you mean "江苏"?); the workbook has: "江苏"');
    await expect(run({ path: 'yb.xlsx', sheet: 3 })).rejects.toThrow('yb.xlsx: no sheet 3: the workbook has 1 ("江苏")');
  });

  it('a merged header that cannot be resolved: merged cells reaching into the data, or two columns with one name', async () => {
    await expect(run({ path: 'yb.xlsx', sheet: '江苏', headerRows: 1 })).rejects.toThrow(
      'yb.xlsx: sheet "江苏": the merged cells A1:A2 reach below the header (rows up to 1) into the data: unmerge them in the workbook, or set "headerRows" so the header ends below them');
    await book('dup.xlsx', (wb) => {
      const ws = wb.addWorksheet('s');
      setRow(ws, 1, ['城市', '地区生产总值', null, '从业人员', null]); // group names typed once, not merged
      setRow(ws, 2, [null, '第一产业', '第二产业', '第一产业', '第二产业']);
      setRow(ws, 3, ['南京', 1, 2, 3, 4]);
    });
    await expect(run({ path: 'dup.xlsx', headerRows: 2 })).rejects.toThrow(
      'dup.xlsx: sheet "s": columns C and E are both named "第二产业": merge the group header over its columns (the names then become "<group>/第二产业"), add the group\'s header row to "headerRows", or rename one in the workbook');
  });

  it('a column with data but no header, a declared number with text, a unit that differs, a formula without a value', async () => {
    await book('bad.xlsx', (wb) => {
      const ws = wb.addWorksheet('s');
      setRow(ws, 1, ['城市', 'gdp', null, '人口']);
      setRow(ws, 2, [null, '万元', null, '万人']);
      setRow(ws, 3, ['南京', 'n.a.', null, { formula: 'B3*2' }]);
      setRow(ws, 4, ['无锡', 2, 5, 1]);
    });
    await expect(run({ path: 'bad.xlsx', unitsRow: true })).rejects.toThrow('bad.xlsx: sheet "s": the column at C1 has data but no header text: type a name into the header, or narrow "range" to leave it out');
    await expect(run({ path: 'bad.xlsx', range: 'A1:B4', unitsRow: true, columns: { gdp: 'number' } })).rejects.toThrow(
      'bad.xlsx: sheet "s", cell B3 (column "gdp") holds "n.a.", which is not a number: fix the cell, add "n.a." to "missing" if it means missing, or declare the column "string" in "columns"');
    await expect(run({ path: 'bad.xlsx', range: 'A1:B4', unitsRow: true, expectUnits: { gdp: '亿元' } })).rejects.toThrow(
      'bad.xlsx: sheet "s", cell B2: column "gdp" is in "万元", expected "亿元": convert the column upstream (derive) or correct "expectUnits"');
    await expect(run({ path: 'bad.xlsx', range: 'D1:D4', unitsRow: true })).rejects.toThrow('bad.xlsx: sheet "s", cell D3: a formula without a stored value: open and save the workbook in Excel or LibreOffice');
    const ok = (await run({ path: 'bad.xlsx', range: 'A1:B4', unitsRow: true, missing: ['n.a.'] })).table;
    expect(Array.from(ok.array('gdp') as Float64Array)).toEqual([NaN, 2]);
  });

  it('refuses cells that are not finite numbers (text "Inf", "-inf", "1e999"; a formula result of Infinity) with sheet and cell', async () => {
    for (const [cell, shown] of [['Inf', 'Inf'], ['-inf', '-inf'], ['1e999', '1e999'], [' Infinity ', ' Infinity ']]) {
      await book('inf.xlsx', (wb) => { const ws = wb.addWorksheet('s'); setRow(ws, 1, ['city', 'gdp']); setRow(ws, 2, ['a', 1]); setRow(ws, 3, ['b', cell]); });
      await expect(run({ path: 'inf.xlsx' })).rejects.toThrow(`inf.xlsx: sheet "s", cell B3 holds "${shown}", which is not a finite number`);
    }
    await book('inf2.xlsx', (wb) => { const ws = wb.addWorksheet('s'); setRow(ws, 1, ['city', 'gdp']); setRow(ws, 2, ['a', { formula: '1/0', result: Infinity }]); });
    await expect(run({ path: 'inf2.xlsx' })).rejects.toThrow('inf2.xlsx: sheet "s", cell B2 holds "Infinity", which is not a finite number');
    // a declared string column may hold the word
    expect((await run({ path: 'inf.xlsx', columns: { gdp: 'string' } })).table.array('gdp')).toEqual(['1', 'Infinity']);
  });

  it('a file that is no workbook says what to save it as; the input is left as it was', async () => {
    writeFileSync(join(dir, 'x.xlsx'), 'city,year\n');
    await expect(run({ path: 'x.xlsx' })).rejects.toThrow(/^x\.xlsx: not a readable \.xlsx workbook \(.*\): save it as "Excel Workbook \(\.xlsx\)"/);
    const before = readFileSync(join(dir, 'yb.xlsx'));
    await run({ path: 'yb.xlsx', headerRows: 2, unitsRow: true });
    expect(readFileSync(join(dir, 'yb.xlsx')).equals(before)).toBe(true);
  });

  it('numberFromText: thousands separators, spaces, full-width digits; not dates, percents or words', () => {
    expect(['1,234.5', ' 12 ', '-0.5', '１２３．５', '1e3', '+7', '1,234,567'].map(numberFromText)).toEqual([1234.5, 12, -0.5, 123.5, 1000, 7, 1234567]);
    expect(['12,34', '2020-01', '12%', 'abc', '', '1.2.3', ','].map(numberFromText)).toEqual([null, null, null, null, null, null, null]);
    expect([1, 26, 27, 52, 703].map(colLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA']);
  });
});
