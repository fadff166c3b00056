import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as aq from 'arquero';
import { loadDta, loadDtaParams } from '../../src/nodes/load-dta.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flow-dta-node-'));
  copyFileSync(new URL('../fixtures/dta/haven-118.dta', import.meta.url), join(dir, 'h.dta'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (params: unknown, withReadFile = false) => loadDta.run({
  params: loadDtaParams.parse(params), inputs: {}, resolvePath: (p) => join(dir, p), nodeId: 'dta',
  ...(withReadFile ? { readFile: (p: string) => readFileSync(join(dir, p)) } : {}),
}) as { table: aq.ColumnTable };

describe('load-dta', () => {
  it('reads a haven-written 118 file: numbers as Float64Array, missing as NaN, value labels as text by default', () => {
    const t = run({ path: 'h.dta' }, true).table;
    expect(t.columnNames()).toEqual(['city', 'name_zh', 'gdp', 'year', 'size', 'note']);
    expect(t.column('gdp')).toBeInstanceOf(Float64Array);
    expect(Array.from(t.array('gdp') as Float64Array)).toEqual([38700.58, 14818, NaN, 10045.72]);
    expect(t.array('size')).toEqual(['large', 'large', 'medium', null]);
    expect(t.array('city')).toEqual(['Shanghai', 'Nanjing', null, 'Hefei']);
  });

  it('valueLabels: codes keeps the numbers; both adds <name>_label', () => {
    expect(Array.from(run({ path: 'h.dta', valueLabels: 'codes' }).table.array('size') as Float64Array)).toEqual([1, 1, 2, NaN]);
    const both = run({ path: 'h.dta', valueLabels: 'both' }).table;
    expect(both.columnNames()).toContain('size_label');
    expect(both.array('size_label')).toEqual(['large', 'large', 'medium', null]);
  });

  it('an unsupported version fails naming the file and the fix; the file is unchanged', () => {
    const old = Buffer.from([115, 2, 1, 0, 2, 0, 1, 0, 0, 0]);
    writeFileSync(join(dir, 'old.dta'), old);
    expect(() => run({ path: 'old.dta' })).toThrow('old.dta: a .dta file of format 115 (Stata 12 or older); flow reads formats 117, 118 and 119: in Stata, "use" it and "save" it again');
    expect(readFileSync(join(dir, 'old.dta')).equals(old)).toBe(true);
  });

  it('a missing file names the param', () => {
    expect(() => run({ path: 'nope.dta' })).toThrow('cannot read nope.dta: ENOENT; check "path" (it is relative to the workflow file)');
  });
});
