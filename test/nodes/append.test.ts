import { describe, it, expect } from 'vitest';
import { appendNode } from '../../src/nodes/append.js';
import { tbl, runNode, rows } from './shape-helpers.js';

const a = tbl({ city: ['上海'], year: Float64Array.of(2011), fai_software: Float64Array.of(1) });
const b = tbl({ city: ['南京', '无锡'], year: Float64Array.of(2012, 2012), fai_info: Float64Array.of(2, 3) });
const app = (params: unknown, tables = [a, b]) => runNode(appendNode, params, { tables }, { sources: { tables: [{ node: 'old', port: 'table' }, { node: 'new', port: 'table' }] } });

describe('append', () => {
  it('same columns: rows one after the other; different columns name what differs', async () => {
    expect(rows(await app({}, [a, a]))).toEqual({ city: ['上海', '上海'], year: [2011, 2011], fai_software: [1, 1] });
    await expect(app({})).rejects.toThrow('input 2 (new) lacks "fai_software" and has "fai_info" that input 1 lacks: rename the columns to match, or set "columns": "union"');
  });

  it('union: a column absent from a table is missing there; source names each row\'s input', async () => {
    const t = await app({ columns: 'union', source: 'sheet', labels: ['2003-2011', '2012-2020'] });
    expect(rows(t)).toEqual({ city: ['上海', '南京', '无锡'], year: [2011, 2012, 2012], fai_software: [1, NaN, NaN], fai_info: [NaN, 2, 3], sheet: ['2003-2011', '2012-2020', '2012-2020'] });
    expect(t.column('fai_info')).toBeInstanceOf(Float64Array);
    expect((await app({ columns: 'union', source: 'from' })).array('from')).toEqual(['old', 'new', 'new']);
  });

  it('a column that is numeric in one table and text in the other is an error naming both', async () => {
    const c = tbl({ city: ['合肥'], year: ['2012年'], fai_software: Float64Array.of(1) });
    await expect(app({}, [a, c])).rejects.toThrow('column "year" is number in old but text in new: make it the same type in both');
    await expect(app({ labels: ['x'] })).rejects.toThrow('"labels" has 1 entries for 2 inputs');
  });
});
