// load-csv's `encoding`: GBK yearbook extracts read as they were saved; the bytes hashed
// are the file's own (the engine's readFile), the file itself is left as it was.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type * as aq from 'arquero';
import { loadCsv, loadCsvParams } from '../../src/nodes/load-csv.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'flow-enc-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (params: unknown) => loadCsv.run({ params: loadCsvParams.parse(params), inputs: {}, resolvePath: (p) => join(dir, p), nodeId: 'load' }) as { table: aq.ColumnTable };
const text = '省份,年份,铁路运输业\n上海市,2003,28.435094\n江苏省,2003,\n';

describe('load-csv encoding', () => {
  it('reads a GBK file given as gbk, or detected, into the same table as its UTF-8 twin', () => {
    writeFileSync(join(dir, 'p.gbk.csv'), iconv.encode(text, 'gbk'));
    writeFileSync(join(dir, 'p.csv'), text);
    const want = run({ path: 'p.csv' }).table;
    for (const t of [run({ path: 'p.gbk.csv', encoding: 'gbk' }).table, run({ path: 'p.gbk.csv' }).table]) {
      expect(t.columnNames()).toEqual(['省份', '年份', '铁路运输业']);
      expect(t.array('省份')).toEqual(['上海市', '江苏省']);
      expect(Array.from(t.array('铁路运输业') as Float64Array)).toEqual(Array.from(want.array('铁路运输业') as Float64Array));
      expect(t.column('年份')).toBeInstanceOf(Float64Array);
    }
  });

  it('a GBK file declared utf-8 fails naming file, line and the fix, and the file is unchanged', () => {
    const bytes = iconv.encode(text, 'gbk');
    writeFileSync(join(dir, 'q.csv'), bytes);
    expect(() => run({ path: 'q.csv', encoding: 'utf-8' })).toThrow('q.csv: line 1 is not valid UTF-8; read as GBK it says "省份,年份,铁路运输业": set "encoding": "gbk"');
    expect(readFileSync(join(dir, 'q.csv')).equals(bytes)).toBe(true);
  });

  it('keeps the header order when columns are named by years (a wide table)', () => {
    writeFileSync(join(dir, 'wide.csv'), 'city,2006,2007\nA,1,2\n');
    expect(run({ path: 'wide.csv' }).table.columnNames()).toEqual(['city', '2006', '2007']);
  });

  it('an unknown encoding is rejected by the schema', () => {
    expect(loadCsvParams.safeParse({ path: 'x.csv', encoding: 'latin1' }).success).toBe(false);
  });
});
