// Node `load-matrix`: a dense weights matrix from a CSV without header (n rows of n
// numbers) and its unit ids (a file with one id per line, or a list).
import { readInputText } from './read-input.js';
import { z } from 'zod';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { dataError, FlowError } from '../errors.js';
import { standardizeWeights, WeightsError } from '../econ/spatial/weights.js';
import { standardizeParam } from './w-matrix.js';

export const loadMatrixParams = z.object({
  path: z.string().describe('CSV of the n x n matrix, no header, relative to the workflow file'),
  ids: z.union([z.string(), z.array(z.string()).min(1)])
    .describe('unit ids in row order: a file (one per line, relative to the workflow file) or a list'),
  standardize: standardizeParam.default('row'),
}).strict();

export type LoadMatrixParams = z.infer<typeof loadMatrixParams>;

const MSG = {
  rows: (file: string, rows: number, ids: number) => `${file} has ${rows} rows but there are ${ids} ids: one row (and one column) per id.`,
  cols: (file: string, line: number, cols: number, n: number) => `${file} line ${line} has ${cols} values, expected ${n} (a square matrix, one column per id).`,
  cell: (file: string, cells: string) => `${file} has non-numeric or missing cells at ${cells}: fix the file.`,
  dupIds: (ids: string[]) => `the id list repeats ${ids.join(', ')}: ids must be unique.`,
  empty: (file: string) => `${file} is empty.`,
} as const;

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
  description: 'Load a dense spatial weights matrix (CSV, no header) with its unit ids; row-standardised by default',
  params: loadMatrixParams,
  inputs: {},
  outputs: { matrix: { type: 'matrix' } },
  files: (p) => [p.path, ...(typeof p.ids === 'string' ? [p.ids] : [])],
  // through ctx.readFile (readInputText): the bytes it parses are the bytes its key was made from
  run(ctx) {
    const { params, nodeId } = ctx;
    try {
      const ids = typeof params.ids === 'string'
        ? readInputText(ctx, params.ids, 'ids').split(/\r?\n/).map(unquote).filter((s) => s !== '')
        : params.ids;
      return { matrix: parseMatrix(readInputText(ctx, params.path), ids, params.path, params.standardize) };
    } catch (e) {
      if (e instanceof FlowError) { (e.context as { node?: string }).node = nodeId; throw e; }
      throw new FlowError('data', `cannot read ${params.path}: ${(e as Error).message}`, { node: nodeId }, e);
    }
  },
});
