// Column headers generated from the models: header rows (matrix branch values, group,
// mechanism chain, dependent variable, estimator where they differ, equation number)
// above one row of model numbers (1), (2), ... that are unique by construction.
import type { HeadRow } from './grid.js';
import type { Column } from './model-table.js';
import { depVar, estimatorName, labelOf } from './model-access.js';

export const HEAD = {
  group: 'Group',
  chain: 'Mechanism',
  depvar: 'Dependent variable',
  estimator: 'Estimator',
  equation: 'Equation',
} as const;

/** Fixed order of the generated rows; branch values (any other key) come first. */
const ORDER: string[] = [HEAD.group, HEAD.chain, HEAD.depvar, HEAD.estimator, HEAD.equation];

export interface Headers { heads: HeadRow[]; columns: string[] }

export function buildHeaders(cols: Column[], o: { labels: Record<string, string>; columns?: string[]; numbered?: boolean }): Headers {
  const lab = (v: string) => labelOf(v, o.labels);
  const estimators = new Set(cols.map((c) => c.model.estimator));
  const cellsOf = cols.map((c) => {
    const h: Record<string, string> = { ...(c.heads ?? {}) };
    const y = depVar(c.model);
    if (y && h[HEAD.depvar] === undefined) h[HEAD.depvar] = lab(y);
    if (estimators.size > 1) h[HEAD.estimator] = estimatorName(c.model);
    return h;
  });
  const keys: string[] = [];
  for (const h of cellsOf) for (const k of Object.keys(h)) if (!keys.includes(k)) keys.push(k);
  keys.sort((a, b) => (ORDER.indexOf(a) + 1 || -1) - (ORDER.indexOf(b) + 1 || -1));
  const heads = keys
    .map((k) => ({ label: k, cells: cellsOf.map((h) => h[k] ?? '') }))
    .filter((r) => r.cells.some((x) => x !== ''));
  if (o.columns) return { heads, columns: cols.map((_, i) => o.columns?.[i] ?? `(${i + 1})`) };
  if (o.numbered === false && heads.length) {
    // the last header row takes the place of the numbers
    const last = heads.pop()!;
    return { heads, columns: last.cells };
  }
  return { heads, columns: cols.map((_, i) => `(${i + 1})`) };
}
