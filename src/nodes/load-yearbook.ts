// load-yearbook: the raw city and province yearbook extracts and the city facts
// (data/yrd26/README.md documents the layout). A real extract dropped in with the same
// layout goes through the same checks, so every problem is reported here, naming the
// file, the row (line of the file) and the column, rather than deep in a model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import * as aq from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { parseCsv, type CsvData } from '../io/csv.js';

const MSG = {
  unreadable: (file: string, why: string) => `cannot read ${file}: ${why}; check "dir" (relative to the workflow file) and the file names`,
  missingColumns: (file: string, cols: string[]) =>
    `${file}: missing column(s) ${cols.map((c) => `"${c}"`).join(', ')}; the yearbook layout is listed in data/yrd26/README.md (rename or add the columns)`,
  missingKey: (file: string, row: number, col: string) => `${file}: row ${row}, column "${col}" is empty; every row needs its key`,
  badYear: (file: string, row: number, v: number) => `${file}: row ${row}, column "year" holds ${v}: a year must be an integer in 1949-2100`,
  duplicate: (file: string, row: number, key: string, first: number) =>
    `${file}: row ${row} repeats ${key} (first at row ${first}); keep one row per key`,
  negative: (file: string, row: number, col: string, v: number) =>
    `${file}: row ${row}, column "${col}" holds ${v}; it cannot be negative (check the sign or the unit)`,
  share: (file: string, row: number, col: string, v: number, of: string, total: number) =>
    `${file}: row ${row}, column "${col}" = ${v} exceeds ${of} = ${total} (a share above 1); check the columns or their units`,
  range: (file: string, row: number, col: string, v: number, lo: number, hi: number, hint: string) =>
    `${file}: row ${row}, column "${col}" holds ${v}, outside ${lo}-${hi}; ${hint}`,
  unknownCity: (file: string, row: number, city: string, src: string) =>
    `${file}: row ${row}, column "city": "${city}" is not in ${src}; add it there or fix the name`,
  unknownProvince: (file: string, row: number, prov: string, year: number, src: string) =>
    `${file}: row ${row}, column "province": no row for ${prov} ${year} in ${src}; the allocation needs the province figures`,
} as const;

/** The layout: key columns (text / year) and numeric columns of each file. */
export const YEARBOOK_LAYOUT = {
  city: {
    keys: ['city', 'province'],
    numeric: [
      'year', 'va_primary', 'va_secondary', 'va_tertiary', 'emp_primary', 'emp_secondary', 'emp_tertiary', 'pop',
      'fai_total', 'fai_computer_services', 'fai_software', 'fai_info_transmission_it', 'fai_utilities', 'fai_transport',
      'road_area', 'students', 'retail_sales', 'fiscal_exp', 'deposits', 'emp_finance', 'innovation_index',
      'internet_subscribers', 'ai_patents', 'robot_exposure',
    ],
  },
  province: { keys: ['province'], numeric: ['year', 'fai_utilities', 'fai_electricity_supply', 'fai_transport', 'fai_railway', 'fai_price_index'] },
  cities: { keys: ['city', 'city_zh', 'province', 'size_class', 'terrain_class'], numeric: ['lat', 'lon', 'gdp2020', 'pop2020', 'slope'] },
} as const;

const params = z.object({
  dir: z.string().min(1).describe('directory with the yearbook files, relative to the workflow file'),
  cityFile: z.string().default('city_year.csv').describe('city-year file inside dir'),
  provinceFile: z.string().default('province_year.csv').describe('province-year file inside dir'),
  citiesFile: z.string().default('cities.csv').describe('city facts file inside dir (coordinates, size class, slope)'),
}).strict();

type Kind = keyof typeof YEARBOOK_LAYOUT;

function readBuf(abs: string, display: string, read?: () => Uint8Array): Uint8Array {
  try { return read ? read() : readFileSync(abs); } catch (e) { throw dataError(MSG.unreadable(display, (e as Error).message), { file: display }); }
}

function parse(buf: Uint8Array, display: string, kind: Kind): CsvData {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  // the header first, so a missing column is reported as such (not as a type problem)
  const nl = b.indexOf(10);
  const firstLine = b.subarray(0, nl < 0 ? b.length : nl).toString('utf8').replace(/\r$/, '');
  const header = new Set(firstLine.split(',').map((s) => s.trim().replace(/^"|"$/g, '')));
  const L = YEARBOOK_LAYOUT[kind];
  const missing = [...L.keys, ...L.numeric].filter((c) => !header.has(c));
  if (missing.length) throw dataError(MSG.missingColumns(display, missing), { file: display, field: missing[0] });
  const types: Record<string, 'number' | 'string'> = {};
  for (const c of L.keys) types[c] = 'string';
  for (const c of L.numeric) types[c] = 'number';
  return parseCsv(b, { file: display, types });
}

const num = (d: CsvData, c: string) => d.columns[c] as Float64Array;
const txt = (d: CsvData, c: string) => d.columns[c] as (string | null)[];
const line = (r: number) => r + 2;

function checkKeys(d: CsvData, file: string, keys: readonly string[], withYear: boolean): void {
  for (const k of keys) {
    const col = txt(d, k);
    for (let r = 0; r < d.nRows; r++) if (col[r] === null || col[r] === '') throw dataError(MSG.missingKey(file, line(r), k), { file, field: k });
  }
  if (!withYear) return;
  const y = num(d, 'year');
  for (let r = 0; r < d.nRows; r++) {
    if (Number.isNaN(y[r])) throw dataError(MSG.missingKey(file, line(r), 'year'), { file, field: 'year' });
    if (!Number.isInteger(y[r]) || y[r] < 1949 || y[r] > 2100) throw dataError(MSG.badYear(file, line(r), y[r]), { file, field: 'year' });
  }
}

function checkUnique(d: CsvData, file: string, key: (r: number) => string): Map<string, number> {
  const seen = new Map<string, number>();
  for (let r = 0; r < d.nRows; r++) {
    const k = key(r);
    const first = seen.get(k);
    if (first !== undefined) throw dataError(MSG.duplicate(file, line(r), k, line(first)), { file });
    seen.set(k, r);
  }
  return seen;
}

function checkNonNegative(d: CsvData, file: string, cols: readonly string[]): void {
  for (const c of cols) {
    const x = num(d, c);
    for (let r = 0; r < d.nRows; r++) if (x[r] < 0) throw dataError(MSG.negative(file, line(r), c, x[r]), { file, field: c });
  }
}

function checkRange(d: CsvData, file: string, c: string, lo: number, hi: number, hint: string): void {
  const x = num(d, c);
  for (let r = 0; r < d.nRows; r++) if (x[r] < lo || x[r] > hi) throw dataError(MSG.range(file, line(r), c, x[r], lo, hi, hint), { file, field: c });
}

/** part <= whole, row by row (missing cells skip) */
function checkShare(d: CsvData, file: string, part: string, whole: string | string[]): void {
  const p = num(d, part);
  const parts = (Array.isArray(whole) ? whole : [whole]).map((c) => num(d, c));
  const label = Array.isArray(whole) ? whole.join(' + ') : whole;
  for (let r = 0; r < d.nRows; r++) {
    const total = parts.reduce((s, x) => s + x[r], 0);
    if (p[r] > total * (1 + 1e-9)) throw dataError(MSG.share(file, line(r), part, p[r], label, total), { file, field: part });
  }
}

function toTable(d: CsvData) {
  return aq.table(Object.fromEntries(d.names.map((n) => [n, d.columns[n]])) as Record<string, ArrayLike<unknown>>);
}

export interface YearbookFiles { city: string; province: string; cities: string }

/** Read and validate the three files of a directory; `read` (ctx.readFile) gives a file's bytes by its workflow-relative path. */
export function loadYearbook(absDir: string, displayDir: string, p: { cityFile: string; provinceFile: string; citiesFile: string }, read?: (path: string) => Uint8Array) {
  const f = { city: join(displayDir, p.cityFile), province: join(displayDir, p.provinceFile), cities: join(displayDir, p.citiesFile) };
  const get = (name: string, display: string) => readBuf(join(absDir, name), display, read && (() => read(display)));
  return validateYearbook({ city: get(p.cityFile, f.city), province: get(p.provinceFile, f.province), cities: get(p.citiesFile, f.cities) }, f);
}

/** Parse and validate the three files' contents; `f` names them in messages. */
export function validateYearbook(content: Record<keyof YearbookFiles, Uint8Array>, f: YearbookFiles) {
  const cities = parse(content.cities, f.cities, 'cities');
  const province = parse(content.province, f.province, 'province');
  const city = parse(content.city, f.city, 'city');
  return checkYearbook({ city, province, cities }, f);
}

/** The checks on the three tables once parsed (load-yearbook from files, check-yearbook from upstream tables). */
export function checkYearbook({ city, province, cities }: Record<keyof YearbookFiles, CsvData>, f: YearbookFiles) {
  checkKeys(cities, f.cities, YEARBOOK_LAYOUT.cities.keys, false);
  const cityNames = checkUnique(cities, f.cities, (r) => `city ${txt(cities, 'city')[r]}`);
  checkRange(cities, f.cities, 'lat', -90, 90, 'latitude in decimal degrees');
  checkRange(cities, f.cities, 'lon', -180, 180, 'longitude in decimal degrees');
  checkRange(cities, f.cities, 'slope', 0, 90, 'terrain slope in degrees');
  checkNonNegative(cities, f.cities, ['gdp2020', 'pop2020']);

  checkKeys(province, f.province, YEARBOOK_LAYOUT.province.keys, true);
  const provKeys = checkUnique(province, f.province, (r) => `${txt(province, 'province')[r]} ${num(province, 'year')[r]}`);
  checkNonNegative(province, f.province, ['fai_utilities', 'fai_electricity_supply', 'fai_transport', 'fai_railway']);
  checkShare(province, f.province, 'fai_electricity_supply', 'fai_utilities');
  checkShare(province, f.province, 'fai_railway', 'fai_transport');
  checkRange(province, f.province, 'fai_price_index', 50, 200, 'the index is "previous year = 100" (a ratio like 1.03 must be multiplied by 100)');

  checkKeys(city, f.city, YEARBOOK_LAYOUT.city.keys, true);
  checkUnique(city, f.city, (r) => `city-year ${txt(city, 'city')[r]} ${num(city, 'year')[r]}`);
  const cname = txt(city, 'city'), cprov = txt(city, 'province'), cyear = num(city, 'year');
  for (let r = 0; r < city.nRows; r++) {
    if (!cityNames.has(`city ${cname[r]}`)) throw dataError(MSG.unknownCity(f.city, line(r), cname[r]!, f.cities), { file: f.city, field: 'city' });
    if (!provKeys.has(`${cprov[r]} ${cyear[r]}`)) throw dataError(MSG.unknownProvince(f.city, line(r), cprov[r]!, cyear[r], f.province), { file: f.city, field: 'province' });
  }
  checkNonNegative(city, f.city, YEARBOOK_LAYOUT.city.numeric.filter((c) => c !== 'year'));
  checkShare(city, f.city, 'emp_finance', ['emp_primary', 'emp_secondary', 'emp_tertiary']);
  checkShare(city, f.city, 'students', 'pop');
  checkShare(city, f.city, 'fai_utilities', 'fai_total');
  checkShare(city, f.city, 'fai_transport', 'fai_total');

  // the city facts the models need per row (IV: slope x year; subgroups: size class)
  const facts = new Map<string, number>();
  txt(cities, 'city').forEach((c, r) => facts.set(c!, r));
  const cityCols: Record<string, ArrayLike<unknown>> = Object.fromEntries(city.names.map((n) => [n, city.columns[n]]));
  const at = (r: number) => facts.get(cname[r]!)!;
  if (!('size_class' in cityCols)) cityCols.size_class = Array.from({ length: city.nRows }, (_, r) => txt(cities, 'size_class')[at(r)]);
  if (!('slope' in cityCols)) cityCols.slope = Float64Array.from({ length: city.nRows }, (_, r) => num(cities, 'slope')[at(r)]);
  return { city: aq.table(cityCols), province: toTable(province), cities: toTable(cities) };
}

export const loadYearbookNode = defineNode({
  type: 'load-yearbook',
  version: 1,
  description: 'Load and validate the raw yearbook extracts (city-year, province-year) and the city facts (data/yrd26 layout)',
  params,
  inputs: {},
  outputs: {
    city: { type: 'table', description: 'city-year raw panel, with size_class and slope from the city facts' },
    province: { type: 'table', description: 'province-year investment and FAI price index' },
    cities: { type: 'table', description: 'one row per city: coordinates, size class, slope' },
  },
  // the three files it reads, not the directory: a README or TRUTH.json beside them is not an input
  files: (p) => [p.cityFile, p.provinceFile, p.citiesFile].map((f) => join(p.dir, f)),
  // through ctx.readFile: the bytes it parses are the bytes its key was made from
  run({ params: p, resolvePath, readFile }) {
    return loadYearbook(resolvePath(p.dir), p.dir, p, readFile);
  },
});
