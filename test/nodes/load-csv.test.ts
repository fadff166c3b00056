import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import { loadCsv, loadCsvParams } from '../../src/nodes/load-csv.js';
import { parseCsv, readShared, type CsvOptions } from '../../src/io/csv.js';
import { parallelScan } from '../../src/io/csv-parallel.js';
import { scannerFor, UNROLL_MAX } from '../../src/io/csv-scan.js';
import { ColumnArena } from '../../src/io/arrow-layout.js';
import { makeRng } from '../../src/econ/rng.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'flow-csv-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const run = (params: unknown) => loadCsv.run({ params: loadCsvParams.parse(params), inputs: {}, resolvePath: (p) => join(dir, p), nodeId: 'load' }) as { table: aq.ColumnTable };
const fixture = (f: string) => new URL(`../fixtures/${f}`, import.meta.url);

describe('load-csv', () => {
  it('reads the Grunfeld and crime fixtures exactly as arquero does, numbers as Float64Array', () => {
    for (const f of ['grunfeld.csv', 'crime.csv']) {
      const text = readFileSync(fixture(f), 'utf8');
      write(f, text);
      const t = run({ path: f }).table;
      const ref = aq.fromCSV(text);
      expect(t.columnNames()).toEqual(ref.columnNames());
      expect(t.numRows()).toBe(ref.numRows());
      for (const c of ref.columnNames()) expect(Array.from(t.array(c) as ArrayLike<unknown>)).toEqual(ref.array(c));
      expect(t.column('year')).toBeInstanceOf(Float64Array);
    }
  });

  it('empty and NA cells are NaN in numeric columns and null in text ones; quoted fields keep commas and quotes', () => {
    write('a.csv', 'id,name,x\r\n1,"Smith, J.",1.5\r\n2,NA,\r\n3,"say ""hi""",NA\r\n4,,-2e-3\r\n');
    const t = run({ path: 'a.csv' }).table;
    expect(Array.from(t.array('x') as number[])).toEqual([1.5, NaN, NaN, -0.002]);
    expect(t.array('name')).toEqual(['Smith, J.', null, 'say "hi"', null]);
    expect(Array.from(t.array('id') as number[])).toEqual([1, 2, 3, 4]);
  });

  it('parses every number as JavaScript does (exact), including long mantissas and exponents', () => {
    const vals = ['0.1', '-0.30000000000000004', '123456789012345678', '1e300', '4.9e-324', '.5', '+7', '1.7976931348623157e308', '3.14159265358979323846', '0000.25', '-0'];
    write('n.csv', `v\n${vals.join('\n')}\n`);
    const got = Array.from(run({ path: 'n.csv' }).table.array('v') as number[]);
    expect(got).toEqual(vals.map(Number));
    expect(Object.is(got.at(-1), -0)).toBe(true);
  });

  it('the inline number parser is bit-identical to Number() on random decimals (long mantissas, exponents, zeros)', () => {
    const rng = makeRng(31);
    const digits = (k: number) => Array.from({ length: k }, () => rng.int(10)).join('');
    const cells: string[] = [], overflow: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const sign = ['', '-', '+'][rng.int(3)];
      const kind = rng.int(6);
      let t: string;
      if (kind === 0) t = Math.abs(rng.normal() * 10 ** (rng.int(12) - 4)).toFixed(rng.int(10)); // bench-like fixed decimals
      else if (kind === 1) t = `${digits(1 + rng.int(19))}.${digits(rng.int(19))}`; // long mantissas: around 2^53 and beyond
      else if (kind === 2) t = `${digits(1 + rng.int(17))}e${['', '-', '+'][rng.int(3)]}${rng.int(30)}`; // exponents near the 1e22 edge
      else if (kind === 3) t = `0.${'0'.repeat(rng.int(8))}${digits(1 + rng.int(16))}`; // leading zeros
      else if (kind === 4) t = String(rng.int(2 ** 31)) + (rng.uniform() < 0.5 ? '.0' : ''); // integers
      else t = `${digits(rng.int(3))}.${digits(1 + rng.int(22))}E${rng.int(2) ? '-' : ''}${rng.int(320)}`; // anything
      // "12.3E319" overflows to Infinity: such cells are refused (below), so they are kept apart
      (Number.isFinite(Number(sign + t)) ? cells : overflow).push(sign + t);
    }
    cells.push('9007199254740993', '9007199254740992', '9007199254740991', '-0.0', '1e22', '1e23', '123456789012345.6e-22');
    const d = parseCsv(Buffer.from(`v\n${cells.join('\n')}\n`), { parallel: false });
    const got = d.columns.v as Float64Array;
    const want = Float64Array.from(cells, Number);
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer))).toBe(true);
    expect(overflow.length).toBeGreaterThan(100);
    for (const o of overflow.slice(0, 20)) expect(() => parseCsv(Buffer.from(`v\n1\n${o}\n`), { parallel: false })).toThrow(`csv: row 3, column "v" holds "${o}", which is not a finite number`);
  });

  it('refuses infinities, spelled out or overflowing, with file, row and column (declared or inferred numeric columns)', () => {
    for (const cell of ['Inf', '-inf', 'Infinity', '+INF', '1e999', '-1e309', '"Inf"', ' inf ']) {
      write('inf.csv', `id,x,y\n1,2,3\n2,${cell},4\n`);
      const shown = cell.replace(/"/g, '').trim();
      expect(() => run({ path: 'inf.csv' })).toThrow(`inf.csv: row 3, column "x" holds "${shown}", which is not a finite number`);
      expect(() => run({ path: 'inf.csv', columns: { x: 'number' } })).toThrow(`inf.csv: row 3, column "x" holds "${shown}", which is not a finite number`);
      // the last column too (the rest of a row is parsed by a second path)
      write('inf2.csv', `id,x,y\n1,2,3\n2,4,${cell}\n`);
      expect(() => run({ path: 'inf2.csv' })).toThrow(`inf2.csv: row 3, column "y" holds "${shown}", which is not a finite number`);
    }
    // a text column may hold the word; NaN and NA stay missing
    write('inf3.csv', 'id,name,x\n1,Inf,NaN\n2,b,NA\n');
    const t = run({ path: 'inf3.csv', columns: { name: 'string' } }).table;
    expect(t.array('name')).toEqual(['Inf', 'b']);
    expect(Array.from(t.array('x') as Float64Array)).toEqual([NaN, NaN]);
  });

  it('infers a column with text cells as text; a declared numeric column with text is an error naming file, row and column', () => {
    write('b.csv', 'id,x\n1,2.5\n2,abc\n');
    expect(run({ path: 'b.csv' }).table.array('x')).toEqual(['2.5', 'abc']);
    expect(() => run({ path: 'b.csv', columns: { x: 'number' } })).toThrow(/b\.csv: row 3, column "x" holds "abc", which is not a number/);
  });

  it('keeps declared string columns as text (ids with leading zeros)', () => {
    write('c.csv', 'code,v\n001,1\n010,2\n');
    const t = run({ path: 'c.csv', columns: { code: 'string' } }).table;
    expect(t.array('code')).toEqual(['001', '010']);
  });

  it('errors: unknown typed column, ragged row, unterminated quote, missing file', () => {
    write('d.csv', 'a,b\n1,2\n3\n');
    expect(() => run({ path: 'd.csv', columns: { c: 'number' } })).toThrow(/names "c" not in the header; the file has: a, b/);
    expect(() => run({ path: 'd.csv' })).toThrow(/row 3 has 1 fields but the header has 2/);
    write('e.csv', 'a,b\n1,"x\n');
    expect(() => run({ path: 'e.csv' })).toThrow(/never closed/);
    expect(() => run({ path: 'nope.csv' })).toThrow(/cannot read nope\.csv/);
  });

  it('declares its file so the engine hashes it', () => {
    expect(loadCsv.files!(loadCsvParams.parse({ path: 'data/x.csv' }))).toEqual(['data/x.csv']);
  });

  it('parses the bytes ctx.readFile gives (the ones the engine hashed) when it is there', () => {
    write('rf.csv', 'a,b\n1,2\n');
    const asked: string[] = [];
    const readFile = (p: string) => { asked.push(p); return Buffer.from('a,b\n5,6\n7,8\n'); };
    const t = (loadCsv.run({ params: loadCsvParams.parse({ path: 'rf.csv' }), inputs: {}, resolvePath: (p) => join(dir, p), readFile, nodeId: 'load' }) as { table: aq.ColumnTable }).table;
    expect(asked).toEqual(['rf.csv']);
    expect(Array.from(t.array('a') as ArrayLike<number>)).toEqual([5, 7]);
    expect(Array.from(run({ path: 'rf.csv' }).table.array('b') as ArrayLike<number>)).toEqual([2]); // without it: the file
  });

  it('a large numeric file parsed on two threads equals the serial parse (blank lines included); text falls back to serial', () => {
    const rng = makeRng(7);
    const lines = ['id,a,b'];
    for (let i = 0; i < 600_000; i++) lines.push(`${i},${rng.normal().toFixed(9)},${(rng.normal() * 1e6).toExponential(5)}${i === 250_000 ? '\n' : ''}`);
    const path = write('big.csv', lines.join('\n') + '\n');
    const shared = readShared(path);
    expect(shared.byteLength).toBeGreaterThan(16 << 20);
    const par = parseCsv(shared, { parallel: true }), ser = parseCsv(shared, { parallel: false });
    expect(par.nRows).toBe(600_000);
    expect([par.threads, ser.threads]).toEqual([2, 1]);
    const bytes = (a: unknown) => { const f = a as Float64Array; return Buffer.from(f.buffer, f.byteOffset, f.byteLength); };
    for (const c of ser.names) expect(bytes(par.columns[c]).equals(bytes(ser.columns[c]))).toBe(true);
    expect(Buffer.from(par.ipc!).equals(Buffer.from(ser.ipc!))).toBe(true); // the same stream either way
    // every chunk scanned by a worker thread (the kernel's source text): the same rows
    const names = ser.names;
    const w = parallelScan(shared, shared.indexOf(10) + 1, shared.length, scannerFor(names.length, [0, 0, 0], 44, shared.length), names.length, (cap) => new ColumnArena(names.length, cap, 0), false)!;
    expect(w.rows).toBe(600_000);
    const joined = names.map((_, c) => Float64Array.from(w.parts.flatMap(([from, k]) => Array.from(w.arena.region(c).subarray(from, from + k)))));
    names.forEach((nm, c) => expect(bytes(joined[c]).equals(bytes(ser.columns[nm]))).toBe(true));
    const withText = write('bigt.csv', lines.join('\n').replace('\n599999,', '\nx,') + '\n');
    const t = parseCsv(readShared(withText), { parallel: true });
    expect((t.columns.id as string[])[599_999]).toBe('x');
    expect(t.threads).toBe(1);
  });

  it('handles a missing final newline, blank lines, a BOM and a custom delimiter', () => {
    const d = parseCsv(Buffer.from('\ufeffa;b\n1;2\n\n3;4'), { delimiter: ';' });
    expect(d.names).toEqual(['a', 'b']);
    expect(Array.from(d.columns.b as Float64Array)).toEqual([2, 4]);
    // digits read four at a time up to the very last byte, in a buffer that starts inside another
    const tail = parseCsv(Buffer.from('#v,w\n1234.5678,0.123456789\n87654321,12345678.9').subarray(1));
    expect(Array.from(tail.columns.v as Float64Array)).toEqual([1234.5678, 87654321]);
    expect(Array.from(tail.columns.w as Float64Array)).toEqual([0.123456789, 12345678.9]);
  });

  it('an all-numeric file comes with its Arrow IPC stream: the bytes arquero encodes for its columns, the columns views of them', () => {
    const rng = makeRng(11);
    const cases: [string, string, CsvOptions][] = [
      ['small', 'a,b\n1,2\n3.5,-4\n', {}],
      ['one column, no final newline', 'x\n1\n2\n3', {}],
      ['names beyond ASCII', 'prix_\u00e9t\u00e9,\u5e74,y\n1,2001,0.5\n2,2002,-0.25\n', {}],
      // long lines first, short ones later: more rows than the first 256 KB promise (the arena grows)
      ['grows', 'v,w\n' + Array.from({ length: 6000 }, (_, i) => `${rng.normal().toFixed(15)},${i}`).join('\n') + '\n' + Array.from({ length: 200_000 }, (_, i) => `${i % 10},${i % 7}`).join('\n') + '\n', { parallel: false }],
    ];
    for (const [what, text, o] of cases) {
      const d = parseCsv(Buffer.from(text), o);
      expect(d.ipc, what).toBeDefined();
      const ref = aq.table(Object.fromEntries(d.names.map((n) => [n, Float64Array.from(d.columns[n] as Float64Array)]))).toArrowIPC();
      expect(Buffer.from(d.ipc!).equals(Buffer.from(ref)), what).toBe(true);
      for (const n of d.names) expect((d.columns[n] as Float64Array).buffer, what).toBe(d.ipc!.buffer);
    }
    expect(parseCsv(Buffer.from('id,name\n1,a\n')).ipc).toBeUndefined(); // a text column: no stream
    expect(parseCsv(Buffer.from('a,b\n')).ipc).toBeUndefined(); // no rows: none either
  });

  it('the table load-csv returns hands the cache those bytes (no copy); other formats are still encoded', () => {
    write('ipc.csv', 'a,b\n1,2\n3,4\n');
    const t = run({ path: 'ipc.csv' }).table;
    const bytes = t.toArrowIPC();
    expect(bytes.buffer).toBe((t.column('a') as unknown as Float64Array).buffer);
    expect(Buffer.from(bytes).equals(Buffer.from(aq.table({ a: Float64Array.of(1, 3), b: Float64Array.of(2, 4) }).toArrowIPC()))).toBe(true);
    expect(aq.fromArrow(t.toArrowIPC({ format: 'file' })).objects()).toEqual([{ a: 1, b: 2 }, { a: 3, b: 4 }]);
    expect(t.filter((r: { a: number }) => r.a > 1).toArrowIPC()).not.toBe(bytes);
    write('header-only.csv', 'a,b\n');
    expect(aq.fromArrow(run({ path: 'header-only.csv' }).table.toArrowIPC()).columnNames()).toEqual(['a', 'b']); // cacheable
  });

  it('a wide file (more columns than the scanner unrolls) parses the same way: numbers, a text column, a ragged row', () => {
    const rng = makeRng(23);
    const k = UNROLL_MAX + 6;
    const head = Array.from({ length: k }, (_, j) => `c${j}`);
    const rows = Array.from({ length: 300 }, () => head.map((_, j) => (j === 7 ? `t${rng.int(9)}` : (rng.normal() * 10 ** rng.int(6)).toPrecision(1 + rng.int(16)))));
    const d = parseCsv(Buffer.from([head, ...rows].map((r) => r.join(',')).join('\n') + '\n'), { parallel: false });
    for (let j = 0; j < k; j++) {
      if (j === 7) expect(d.columns.c7).toEqual(rows.map((r) => r[7]));
      else expect(Array.from(d.columns[`c${j}`] as Float64Array)).toEqual(rows.map((r) => Number(r[j])));
    }
    const ragged = [head, ...rows.slice(0, 3).map((r) => r.join(',')), '1,2,3'].map((r) => (Array.isArray(r) ? r.join(',') : r)).join('\n');
    expect(() => parseCsv(Buffer.from(ragged), { file: 'w.csv' })).toThrow(/w\.csv: row 5 has 3 fields but the header has 30/);
  });
});
