// Node `join`: the columns of `right` added to the rows of `left` by key (Stata `merge
// m:1`, dplyr left_join / inner_join). Many-to-one is checked (right unique on the key),
// and by default every left row must find its match: unmatched keys are named, since a
// silent NA (a city spelt 泰州市 on one side and 泰州 on the other) is how a panel loses rows.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { requireColumns } from './columns.js';
import { colValues, columnKind, gather, rowKeys, showKey, listSome, makeTable, type Column } from './table-cols.js';

export const joinParams = z.object({
  on: z.union([z.array(z.string()).min(1).max(16), z.record(z.string(), z.string())])
    .describe('key columns: ["city", "year"] (same names on both sides) or { left name: right name }'),
  how: z.enum(['left', 'inner']).default('left').describe('left: every left row (unmatched ones get missing values when unmatched is "allow"); inner: only matched rows'),
  validate: z.enum(['many-to-one', 'one-to-one']).default('many-to-one').describe('right must be unique on the key; one-to-one: left too'),
  unmatched: z.enum(['error', 'allow']).default('error').describe('a left key with no row in right: an error naming the keys, or allowed'),
  keep: z.array(z.string()).max(10_000).optional().describe('right columns to add (default: all but the key)'),
}).strict();

export type JoinParams = z.infer<typeof joinParams>;

const MSG = {
  keyType: (l: string, lk: string, r: string, rk: string) =>
    `key "${l}" is ${lk} in left but "${r}" is ${rk} in right: make both numbers or both text upstream (derive, or load-csv "columns")`,
  missingKey: (side: string, n: number, col: string) => `${n} row(s) of ${side} have a missing key (${col}): drop or fill them upstream; a missing key matches nothing`,
  dupRight: (keys: string[], on: string) =>
    `right is not unique on (${on}): ${listSome(keys)} appear more than once: aggregate right first (aggregate), join on more columns, or fix the duplicates`,
  dupLeft: (keys: string[], on: string) => `validate "one-to-one": left repeats (${on}) ${listSome(keys)}: use "many-to-one" if that is intended`,
  unmatched: (n: number, keys: string[], on: string) =>
    `${n} row(s) of left have no match in right on (${on}): ${listSome(keys)}. Fix the key values on one side (a spelling, a code, a missing year), add the rows to right, or set "unmatched": "allow"`,
  clash: (cols: string[]) => `columns ${cols.map((c) => `"${c}"`).join(', ')} are in both tables: list the right columns to add in "keep", or rename one side first`,
} as const;

export function joinTables(left: ColumnTable, right: ColumnTable, p: JoinParams, node: string): ColumnTable {
  const pairs: [string, string][] = Array.isArray(p.on) ? p.on.map((k) => [k, k]) : Object.entries(p.on);
  requireColumns(left, pairs.map(([l]) => l), 'left', node);
  requireColumns(right, pairs.map(([, r]) => r), 'right', node);
  const rightKeyCols = new Set(pairs.map(([, r]) => r));
  const keep = p.keep ?? right.columnNames().filter((c) => !rightKeyCols.has(c));
  requireColumns(right, keep, 'right', node);
  const clash = keep.filter((c) => left.columnNames().includes(c));
  if (clash.length) throw dataError(MSG.clash(clash), { node });

  const lk = pairs.map(([l]) => colValues(left, l)), rk = pairs.map(([, r]) => colValues(right, r));
  pairs.forEach(([l, r], j) => {
    const a = columnKind(lk[j]), b = columnKind(rk[j]);
    if (a !== 'empty' && b !== 'empty' && a !== b) throw dataError(MSG.keyType(l, a, r, b), { node });
  });
  const on = pairs.map(([l]) => l).join(', ');
  const lKeys = rowKeys(lk, left.numRows()), rKeys = rowKeys(rk, right.numRows());
  for (const [side, keys] of [['left', lKeys], ['right', rKeys]] as const) {
    const n = keys.filter((k) => k === null).length;
    if (n) throw dataError(MSG.missingKey(side, n, on), { node });
  }
  const index = new Map<string, number>();
  const dups = new Set<string>();
  rKeys.forEach((k, i) => { if (index.has(k!)) dups.add(k!); else index.set(k!, i); });
  if (dups.size) throw dataError(MSG.dupRight([...dups].map(showKey), on), { node });
  if (p.validate === 'one-to-one') {
    const seen = new Set<string>(), ldups = new Set<string>();
    for (const k of lKeys) { if (seen.has(k!)) ldups.add(k!); seen.add(k!); }
    if (ldups.size) throw dataError(MSG.dupLeft([...ldups].map(showKey), on), { node });
  }
  const match = Int32Array.from(lKeys, (k) => index.get(k!) ?? -1);
  const missed = new Set<string>();
  let nMissed = 0;
  match.forEach((m, i) => { if (m < 0) { nMissed++; missed.add(lKeys[i]!); } });
  if (nMissed && p.unmatched === 'error') throw dataError(MSG.unmatched(nMissed, [...missed].map(showKey), on), { node });

  // rows of the result: every left row (left), or the matched ones (inner)
  const rows = p.how === 'inner' && nMissed ? Int32Array.from(match.keys()).filter((i) => match[i] >= 0) : null;
  const leftIdx = rows ?? Int32Array.from(match.keys());
  const rightIdx = rows ? Int32Array.from(rows, (i) => match[i]) : match;
  const cols: Record<string, Column> = {};
  for (const c of left.columnNames()) {
    const v = colValues(left, c);
    cols[c] = rows ? gather(v, leftIdx) : v;
  }
  for (const c of keep) cols[c] = gather(colValues(right, c), rightIdx);
  return makeTable(cols, [...left.columnNames(), ...keep]);
}

export const joinNode = defineNode({
  type: 'join',
  version: 1,
  description: 'Add the columns of right to the rows of left by key (left or inner); many-to-one checked; unmatched keys named',
  params: joinParams,
  inputs: { left: { type: 'table', description: 'the rows kept (e.g. the city-year panel)' }, right: { type: 'table', description: 'one row per key (e.g. one per city)' } },
  outputs: { table: { type: 'table' } },
  run({ params, inputs, nodeId }) {
    return { table: joinTables(inputs.left as ColumnTable, inputs.right as ColumnTable, params, nodeId) };
  },
});
