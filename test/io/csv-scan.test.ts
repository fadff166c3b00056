// The two shapes of the generated CSV scanner (columns unrolled for large files, a loop
// over the columns otherwise) read the same bits and stop at the same fields, whatever
// the bytes: parseCsv's tests run the loop (their files are small), this runs both.
import { describe, it, expect } from 'vitest';
import { scannerFor, UNROLL_MIN_BYTES, DONE, type ScanState } from '../../src/io/csv-scan.js';
import { makeRng } from '../../src/econ/rng.js';

/** Scan from pos to the end, stepping over each line a stop leaves (as parseCsv would after handling it). */
function scanAll(buf: Uint8Array, ncol: number, text: number[], unrolled: boolean) {
  const { scan } = scannerFor(ncol, text, 44, unrolled ? UNROLL_MIN_BYTES : 0);
  const num = Array.from({ length: ncol }, () => new Float64Array(4096).fill(-7));
  const stops: ScanState[] = [];
  let pos = buf.indexOf(10) + 1, row = 0;
  for (;;) {
    const st = scan(buf, pos, buf.length, num, row, 4096);
    stops.push(st);
    if (st.status === DONE) break;
    const eol = buf.indexOf(10, st.pos);
    pos = eol < 0 ? buf.length : eol + 1;
    row = st.row + 1;
  }
  return { num, stops };
}

describe('the generated CSV scanner', () => {
  it('unrolled and looping: the same numbers (bits), stops and positions on messy input', () => {
    const rng = makeRng(77);
    const cell = () => {
      const r = rng.int(12);
      if (r === 0) return '"1.5"'; // quoted: the careful path's
      if (r === 1) return 'NA';
      if (r === 2) return '';
      if (r === 3) return `${rng.int(10)}e${rng.int(40) - 20}`;
      if (r === 4) return '1.2.3'; // not a number
      return (rng.normal() * 10 ** (rng.int(10) - 3)).toFixed(rng.int(12));
    };
    const lines = ['a,b,c,d,e'];
    for (let i = 0; i < 2000; i++) {
      const k = rng.uniform() < 0.05 ? 4 + rng.int(3) - 1 : 5; // some ragged rows
      lines.push(Array.from({ length: k }, cell).join(','));
      if (rng.uniform() < 0.02) lines.push(''); // blank lines
    }
    const buf = Buffer.from(lines.join(rng.uniform() < 0.5 ? '\n' : '\r\n'));
    for (const text of [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0]]) {
      const a = scanAll(buf, 5, text, true), b = scanAll(buf, 5, text, false);
      expect(a.stops.length).toBeGreaterThan(100);
      expect(a.stops).toEqual(b.stops);
      a.num.forEach((col, j) => expect(Buffer.from(col.buffer).equals(Buffer.from(b.num[j].buffer)), `column ${j}`).toBe(true));
    }
  });

  it('the unrolled scanner reads plain numbers exactly as Number() does', () => {
    const rng = makeRng(5);
    const rows = Array.from({ length: 3000 }, () => Array.from({ length: 3 }, () => (rng.normal() * 10 ** (rng.int(30) - 15)).toPrecision(1 + rng.int(17))));
    const buf = Buffer.from(['x,y,z', ...rows.map((r) => r.join(','))].join('\n'));
    const { num, stops } = scanAll(buf, 3, [0, 0, 0], true);
    // rows it declines (a mantissa beyond 2^53, an exponent beyond 22) are the careful path's: skipped here
    const read = rows.map((_, i) => num[2][i] !== -7);
    expect(read.filter(Boolean).length).toBeGreaterThan(1500);
    for (let j = 0; j < 3; j++) rows.forEach((r, i) => { if (read[i]) expect(Object.is(num[j][i], Number(r[j])), `${r[j]}`).toBe(true); });
    expect(stops.at(-1)).toEqual({ status: DONE, pos: buf.length, row: 3000, col: 0 });
  });
});
