// Table artifacts decode to arquero tables whose numeric columns without nulls are plain
// typed arrays (fast column reads in nodes); other columns stay Arrow-backed; values,
// NaN vs null included, are unchanged.
import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { decode, encode } from '../../src/graph/codec.js';

describe('table codec', () => {
  it('hands nodes typed-array columns for numeric columns without nulls, the same values otherwise', async () => {
    const t = aq.table({
      f: Float64Array.from([1.5, NaN, -2]), i: Int32Array.from([1, 2, 3]), s: ['a', 'b', 'c'],
      n: [1, null, 3], b: [true, false, true],
    });
    const back = await decode('table', await encode('table', t)) as aq.ColumnTable;
    expect(back.columnNames()).toEqual(['f', 'i', 's', 'n', 'b']);
    expect(back.column('f')).toBeInstanceOf(Float64Array);
    expect(back.column('i')).toBeInstanceOf(Int32Array);
    expect(ArrayBuffer.isView(back.column('n'))).toBe(false); // nulls: stays Arrow-backed
    expect(Array.from(back.array('f') as ArrayLike<number>)).toEqual([1.5, NaN, -2]);
    expect(back.array('n')).toEqual([1, null, 3]);
    expect(back.array('s')).toEqual(['a', 'b', 'c']);
    expect(back.array('b')).toEqual([true, false, true]);
    expect(back.filter((d: any) => d.f > 0).array('s')).toEqual(['a']);
    // re-encoding the decoded table gives the same bytes: a pass-through node keeps its hash
    expect(Buffer.from(await encode('table', back)).equals(Buffer.from(await encode('table', t)))).toBe(true);
  });
  it('a table without rows is refused with a message a user can act on (Arrow cannot type its columns)', async () => {
    const empty = aq.table({ a: Float64Array.of(1), s: ['x'] }).filter(() => false).reify();
    await expect((async () => encode('table', empty))()).rejects.toThrow('its table has no rows (every row was removed, here or upstream); the nodes downstream need data');
  });
});
