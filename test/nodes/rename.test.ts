import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { renameNode } from '../../src/nodes/rename.js';
import { tbl, runNode, rows } from './shape-helpers.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'flow-rename-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const t = tbl({ 城市: ['上海'], '地区生产总值/第一产业': Float64Array.of(1), 年份: Float64Array.of(2020), other: ['x'] });
const rename = (params: unknown, table = t) => runNode(renameNode, params, { table }, { resolvePath: (p: string) => join(dir, p), readFile: (p: string) => readFileSync(join(dir, p)) });

describe('rename', () => {
  it('from a mapping file (GBK or UTF-8); entries for other tables are ignored; inline columns win', async () => {
    const names = 'from,to,unit\n城市,city_zh,\n年份,year,\n地区生产总值/第一产业,va_primary,亿元\n电力供应,fai_electricity_supply,亿元\n';
    writeFileSync(join(dir, 'names.csv'), names);
    writeFileSync(join(dir, 'names-gbk.csv'), iconv.encode(names, 'gbk'));
    for (const file of ['names.csv', 'names-gbk.csv']) {
      const r = await rename({ file });
      expect(r.columnNames()).toEqual(['city_zh', 'va_primary', 'year', 'other']);
      expect(rows(r).va_primary).toEqual([1]);
    }
    expect((await rename({ file: 'names.csv', columns: { 年份: 't' } })).columnNames()).toEqual(['city_zh', 'va_primary', 't', 'other']);
    expect((await rename({ file: 'names.csv', only: true })).columnNames()).toEqual(['city_zh', 'va_primary', 'year']);
  });

  it('unmatched "error" names the entry and the likely column; a file that matches nothing is always an error', async () => {
    await expect(rename({ columns: { 城市: 'city', 年分: 'year' }, unmatched: 'error' })).rejects.toThrow('the mapping names "年分", not a column of the input (did you mean "年份"?): fix the names, or set "unmatched": "ignore"');
    await expect(rename({ columns: { x: 'y' } })).rejects.toThrow('no entry of the mapping names a column of the input; its columns are: 城市, 地区生产总值/第一产业, 年份, other: is it the right file, or the right table?');
  });

  it('two columns renamed to one name, a conflicting or incomplete mapping file, a file without from/to', async () => {
    await expect(rename({ columns: { 城市: 'other' } })).rejects.toThrow('two columns would be named "other": "城市" and "other"');
    writeFileSync(join(dir, 'bad1.csv'), 'from,to\n城市,city\n城市,city_zh\n');
    await expect(rename({ file: 'bad1.csv' })).rejects.toThrow('bad1.csv: "城市" is mapped twice, to "city" and to "city_zh": keep one row');
    writeFileSync(join(dir, 'bad2.csv'), 'from,to\n城市,\n');
    await expect(rename({ file: 'bad2.csv' })).rejects.toThrow('bad2.csv: row 2, column "to" is empty: every mapping needs both names');
    writeFileSync(join(dir, 'bad3.csv'), 'name,variable\n城市,city\n');
    await expect(rename({ file: 'bad3.csv' })).rejects.toThrow('bad3.csv: no column "from", "to"; the file has name, variable: set "from" / "to" to its columns');
    expect((await rename({ file: 'bad3.csv', from: 'name', to: 'variable' })).columnNames()[0]).toBe('city');
  });
});
