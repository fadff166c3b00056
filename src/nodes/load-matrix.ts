// Node `load-matrix`: spatial weights from a CSV, either
//  * dense: no header, n rows of n numbers, with the unit ids (a file with one id per line,
//    or a list) in row order; or
//  * sparse triplets: header `i,j,w`, one line per non-zero weight, i and j the panel's unit
//    ids (so `ids` is optional: without it the units are in order of first appearance; with it
//    that order, and every i, j must be listed). Stored sparse: memory linear in the lines.
// Files are read through ctx.readFile (the bytes the engine hashed for the key).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { dataError, FlowError } from '../errors.js';
import { standardizeWeights, standardizeSparse, WeightsError } from '../econ/spatial/weights.js';
import { standardizeParam } from './w-matrix.js';

export const loadMatrixParams = z.object({
  path: z.string().describe('CSV relative to the workflow file: the n x n matrix without header, or triplets with the header i,j,w'),
  ids: z.union([z.string(), z.array(z.string()).min(1)]).optional()
    .describe('unit ids in row order: a file (one per line, relative to the workflow file) or a list; needed for a dense CSV, optional for triplets'),
  standardize: standardizeParam.default('row'),
}).strict();

export type LoadMatrixParams = z.infer<typeof loadMatrixParams>;

const MSG = {
  rows: (file: string, rows: number, ids: number) => `${file} has ${rows} rows but there are ${ids} ids: one row (and one column) per id.`,
  cols: (file: string, line: number, cols: number, n: number) => `${file} line ${line} has ${cols} values, expected ${n} (a square matrix, one column per id).`,
  cell: (file: string, cells: string) => `${file} has non-numeric or missing cells at ${cells}: fix the file.`,
  dupIds: (ids: string[]) => `the id list repeats ${ids.join(', ')}: ids must be unique.`,
  empty: (file: string) => `${file} is empty.`,
  needIds: (file: string) => `${file} is a dense matrix (no i,j,w header): give its unit ids in row order (ids: a file or a list).`,
  tripletCells: (file: string, line: number, cells: number) => `${file} line ${line} has ${cells} cells, expected 3 (i,j,w).`,
  tripletWeight: (file: string, line: number, v: string) => `${file} line ${line}: the weight "${v}" is not a finite number: fix the file.`,
  tripletSelf: (file: string, line: number, id: string) => `${file} line ${line}: i = j = "${id}": a unit is not its own neighbour (W has a zero diagonal); drop the line.`,
  tripletDup: (file: string, line: number, first: number, i: string, j: string) => `${file} line ${line} repeats the pair (${i}, ${j}) of line ${first}: one line per pair.`,
  tripletUnknown: (file: string, line: number, id: string) => `${file} line ${line}: unit "${id}" is not in the id list: add it to ids or drop the line.`,
  tripletEmptyId: (file: string, line: number) => `${file} line ${line} has an empty i or j: every line needs two unit ids.`,
} as const;

const isTripletHeader = (line: string) => line.split(',').map(unquote).join(',').toLowerCase() === 'i,j,w';

/** Triplets i,j,w (header already checked) -> sparse IdMatrix. */
export function parseTriplets(text: string, given: string[] | undefined, file: string, how: LoadMatrixParams['standardize']): IdMatrix {
  const lines = text.split(/\r?\n/);
  const index = new Map<string, number>();
  const ids: string[] = [];
  if (given) {
    const seen = new Set<string>();
    const dups = given.filter((v) => seen.has(v) || !seen.add(v));
    if (dups.length) throw dataError(MSG.dupIds([...new Set(dups)]));
    given.forEach((v, k) => { index.set(v, k); ids.push(v); });
  }
  const unit = (id: string, line: number) => {
    let k = index.get(id);
    if (k === undefined) {
      if (given) throw dataError(MSG.tripletUnknown(file, line, id));
      k = ids.length; index.set(id, k); ids.push(id);
    }
    return k;
  };
  const I: number[] = [], J: number[] = [], V: number[] = [], at: number[] = [];
  let header = true;
  for (let l = 0; l < lines.length; l++) {
    const raw = lines[l];
    if (raw.trim() === '') continue;
    if (header) { header = false; continue; }
    const cells = raw.split(',').map(unquote);
    if (cells.length !== 3) throw dataError(MSG.tripletCells(file, l + 1, cells.length));
    if (cells[0] === '' || cells[1] === '') throw dataError(MSG.tripletEmptyId(file, l + 1));
    const v = cells[2] === '' ? NaN : Number(cells[2]);
    if (!Number.isFinite(v)) throw dataError(MSG.tripletWeight(file, l + 1, cells[2]));
    if (cells[0] === cells[1]) throw dataError(MSG.tripletSelf(file, l + 1, cells[0]));
    I.push(unit(cells[0], l + 1)); J.push(unit(cells[1], l + 1)); V.push(v); at.push(l + 1);
  }
  const n = ids.length;
  if (n === 0) throw dataError(MSG.empty(file));
  // compressed rows, columns ascending; a repeated pair is an error naming both lines
  const order = I.map((_, p) => p).sort((a, b) => I[a] - I[b] || J[a] - J[b] || at[a] - at[b]);
  const rowPtr = new Int32Array(n + 1);
  const col: number[] = [], val: number[] = [];
  for (let q = 0; q < order.length; q++) {
    const p = order[q];
    if (q > 0) {
      const prev = order[q - 1];
      if (I[prev] === I[p] && J[prev] === J[p]) throw dataError(MSG.tripletDup(file, at[p], at[prev], ids[I[p]], ids[J[p]]));
    }
    if (V[p] === 0) continue;
    col.push(J[p]); val.push(V[p]);
    rowPtr[I[p] + 1] = col.length;
  }
  for (let i = 0; i < n; i++) if (rowPtr[i + 1] < rowPtr[i]) rowPtr[i + 1] = rowPtr[i];
  try {
    const sparse = standardizeSparse({ n, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) }, how, ids);
    return { ids, n, sparse, meta: { method: 'loaded', file, format: 'triplets', standardize: how } };
  } catch (e) {
    if (e instanceof WeightsError) throw new FlowError('data', e.message, { file }, e);
    throw e;
  }
}

const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, '$1');

export function parseMatrix(text: string, ids: string[], file: string, how: LoadMatrixParams['standardize']): IdMatrix {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const n = ids.length;
  if (lines.length === 0) throw dataError(MSG.empty(file));
  const seen = new Set<string>();
  const dups = ids.filter((v) => seen.has(v) || !seen.add(v));
  if (dups.length) throw dataError(MSG.dupIds([...new Set(dups)]));
  if (lines.length !== n) throw dataError(MSG.rows(file, lines.length, n));
  const data = new Float64Array(n * n);
  const bad: string[] = [];
  lines.forEach((line, i) => {
    // a delimited line keeps its empty cells (reported as missing); else whitespace-separated
    const delim = [',', ';', '\t'].find((d) => line.includes(d));
    const cells = delim ? line.split(delim) : line.trim().split(/\s+/);
    if (cells.length !== n) throw dataError(MSG.cols(file, i + 1, cells.length, n));
    cells.forEach((c, j) => {
      const s = unquote(c);
      const v = s === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) bad.push(`(${ids[i]}, ${ids[j]})`);
      data[i * n + j] = v;
    });
  });
  if (bad.length) throw dataError(MSG.cell(file, bad.slice(0, 8).join(', ') + (bad.length > 8 ? ` and ${bad.length - 8} more` : '')));
  try {
    return { ids, n, data: standardizeWeights(data, n, how, ids), meta: { method: 'loaded', file, standardize: how } };
  } catch (e) {
    if (e instanceof WeightsError) throw new FlowError('data', e.message, { file }, e); // keep the cause, as w-matrix does
    throw e;
  }
}

export const loadMatrixNode = defineNode({
  type: 'load-matrix',
  version: 1,
  description: 'Load spatial weights from a CSV: a dense n x n matrix (no header) with its unit ids, or i,j,w triplets (stored sparse); row-standardised by default',
  params: loadMatrixParams,
  inputs: {},
  outputs: { matrix: { type: 'matrix' } },
  files: (p) => [p.path, ...(typeof p.ids === 'string' ? [p.ids] : [])],
  run({ params, resolvePath, readFile, nodeId }) {
    const read = (p: string) => (readFile ? readFile(p) : readFileSync(resolvePath(p))).toString('utf8');
    try {
      const ids = typeof params.ids === 'string'
        ? read(params.ids).split(/\r?\n/).map(unquote).filter((s) => s !== '')
        : params.ids;
      const text = read(params.path);
      const first = text.split(/\r?\n/).find((l) => l.trim() !== '');
      if (first !== undefined && isTripletHeader(first)) return { matrix: parseTriplets(text, ids, params.path, params.standardize) };
      if (!ids) throw dataError(MSG.needIds(params.path));
      return { matrix: parseMatrix(text, ids, params.path, params.standardize) };
    } catch (e) {
      if (e instanceof FlowError) { (e.context as { node?: string }).node = nodeId; throw e; }
      throw new FlowError('data', `cannot read ${params.path}: ${(e as Error).message}`, { node: nodeId }, e);
    }
  },
});
