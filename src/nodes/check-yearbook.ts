// Node `check-yearbook`: the raw yearbook tables built upstream (from a workbook, a GBK
// CSV, renamed, reshaped and joined) through the same checks as load-yearbook, with the
// same three outputs, so the rest of paper.json runs on them unchanged. Columns of the
// layout come first, in the order of the shipped CSVs (data/yrd26), others follow: tables
// with the same values then have the same bytes as load-yearbook's, and every node after
// `raw` is a cache hit (early cut-off) when the workbook holds the shipped figures.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { CsvData } from '../io/csv.js';
import { dataError } from '../errors.js';
import { checkYearbook, YEARBOOK_LAYOUT } from './load-yearbook.js';
import { numericColumn, rowLabeler, isMissing } from './columns.js';
import { colValues } from './table-cols.js';

const MSG = {
  missing: (port: string, cols: string[], have: string[]) =>
    `input "${port}" has no column ${cols.map((c) => `"${c}"`).join(', ')} of the yearbook layout (data/yrd26/README.md); it has: ${have.join(', ')}. Rename (rename) or add (join) them upstream`,
} as const;

type Kind = keyof typeof YEARBOOK_LAYOUT;

/** the column order of data/yrd26/*.csv (city-year and province-year files follow the layout) */
const FILE_ORDER: Record<Kind, readonly string[]> = {
  city: [...YEARBOOK_LAYOUT.city.keys, ...YEARBOOK_LAYOUT.city.numeric],
  province: [...YEARBOOK_LAYOUT.province.keys, ...YEARBOOK_LAYOUT.province.numeric],
  cities: ['city', 'city_zh', 'province', 'lat', 'lon', 'size_class', 'gdp2020', 'pop2020', 'terrain_class', 'slope'],
};

/** A table as the parser's CsvData: layout columns typed (keys text, figures numbers), layout first. */
function asCsvData(t: ColumnTable, kind: Kind, port: string, node: string): CsvData {
  const L = YEARBOOK_LAYOUT[kind];
  const have = t.columnNames();
  const layout = [...FILE_ORDER[kind]];
  const miss = layout.filter((c) => !have.includes(c));
  if (miss.length) throw dataError(MSG.missing(port, miss, have), { node });
  const label = rowLabeler(t, kind === 'province' ? 'province' : 'city', kind === 'cities' ? null : 'year');
  const columns: CsvData['columns'] = {};
  for (const c of L.keys) columns[c] = Array.from(colValues(t, c), (v) => (isMissing(v) ? null : String(v)));
  for (const c of L.numeric) columns[c] = numericColumn(t, c, label, node);
  const names = [...layout, ...have.filter((c) => !layout.includes(c))];
  for (const c of names) if (!(c in columns)) columns[c] = colValues(t, c) as CsvData['columns'][string];
  return { names, columns, nRows: t.numRows(), threads: 1 };
}

export const checkYearbookNode = defineNode({
  type: 'check-yearbook',
  version: 1,
  description: 'The load-yearbook checks on city-year, province-year and city tables built upstream (e.g. from a workbook); same outputs as load-yearbook',
  params: z.object({}).strict(),
  inputs: {
    city: { type: 'table', description: 'city-year raw panel (data/yrd26 layout)' },
    province: { type: 'table', description: 'province-year table' },
    cities: { type: 'table', description: 'one row per city: coordinates, size class, slope' },
  },
  outputs: {
    city: { type: 'table', description: 'city-year raw panel, with size_class and slope from the city facts' },
    province: { type: 'table', description: 'province-year investment and FAI price index' },
    cities: { type: 'table', description: 'one row per city' },
  },
  run({ inputs, nodeId }) {
    const d = Object.fromEntries((['city', 'province', 'cities'] as const).map((k) => [k, asCsvData(inputs[k] as ColumnTable, k, k, nodeId)])) as Record<Kind, CsvData>;
    return checkYearbook(d, { city: 'input "city"', province: 'input "province"', cities: 'input "cities"' });
  },
});
