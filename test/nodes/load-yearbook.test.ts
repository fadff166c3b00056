import { describe, it, expect } from 'vitest';
import { join, resolve } from 'node:path';
import { loadYearbookNode } from '../../src/nodes/load-yearbook.js';
import { FlowError } from '../../src/errors.js';

const FIX = resolve(__dirname, '../fixtures/yearbook-bad');
const load = (dir: string) =>
  loadYearbookNode.run({ params: loadYearbookNode.params.parse({ dir }), inputs: {}, nodeId: 'raw', resolvePath: (p: string) => join(FIX, p) }) as Record<string, any>;

/** the error of loading a broken fixture: a data FlowError whose message names file, row and column */
function errorOf(dir: string): FlowError {
  try { load(dir); } catch (e) { expect(e).toBeInstanceOf(FlowError); expect((e as FlowError).kind).toBe('data'); return e as FlowError; }
  throw new Error(`${dir} loaded without an error`);
}

describe('load-yearbook', () => {
  it('loads a valid extract: three tables, the city table with size_class and slope attached', () => {
    const { city, province, cities } = load('ok');
    expect(city.numRows()).toBe(4);
    expect(province.numRows()).toBe(4);
    expect(cities.numRows()).toBe(2);
    expect(city.array('slope')[2]).toBe(5.12);
    expect(city.array('size_class')[0]).toBe('large');
    expect(Number.isNaN(city.array('fai_info_transmission_it')[0])).toBe(true); // empty before 2012
  });

  it('loads the shipped data/yrd26 panel (468 city-years, 72 province-years, 26 cities)', () => {
    const out = loadYearbookNode.run({
      params: loadYearbookNode.params.parse({ dir: 'data/yrd26' }), inputs: {}, nodeId: 'raw',
      resolvePath: (p: string) => resolve(__dirname, '../..', p),
    }) as Record<string, any>;
    expect([out.city.numRows(), out.province.numRows(), out.cities.numRows()]).toEqual([468, 72, 26]);
  });

  const cases: [string, RegExp][] = [
    ['missing-column', /city_year\.csv: missing column\(s\) "emp_tertiary"/],
    ['non-numeric', /city_year\.csv: row 4, column "va_secondary" holds "3O55\.3"/],
    ['duplicate', /city_year\.csv: row 6 repeats city-year Nanjing 2012 \(first at row 5\)/],
    ['negative', /city_year\.csv: row 3, column "va_primary" holds -127\.8; it cannot be negative/],
    ['share-above-one', /city_year\.csv: row 5, column "emp_finance" = 480\.5 exceeds emp_primary \+ emp_secondary \+ emp_tertiary/],
    ['province-share', /province_year\.csv: row 4, column "fai_electricity_supply" = 1300\.2 exceeds fai_utilities/],
    ['bad-year', /city_year\.csv: row 3, column "year" holds 20012/],
    ['price-ratio', /province_year\.csv: row 5, column "fai_price_index" holds 1\.014, outside 50-200; the index is "previous year = 100"/],
    ['unknown-city', /city_year\.csv: row 4, column "city": "Nanking" is not in .*cities\.csv/],
    ['missing-key', /city_year\.csv: row 2, column "city" is empty/],
    ['bad-lat', /cities\.csv: row 3, column "lat" holds 320\.61, outside -90-90/],
    ['infinite', /province_year\.csv: row 4, column "fai_electricity_supply" holds "Inf", which is not a finite number/],
    ['overflow', /city_year\.csv: row 3, column "va_secondary" holds "1e999", which is not a finite number/],
    ['no-province-row', /city_year\.csv: row 5, column "province": no row for Jiangsu 2012 in .*province_year\.csv/],
  ];
  for (const [dir, msg] of cases) {
    it(`reports ${dir} naming the file, row and column`, () => {
      const e = errorOf(dir);
      expect(e.message).toMatch(msg);
      expect(e.message).toContain(dir); // the path shown is the workflow's, so the user finds the file
    });
  }

  it('declares the three files it reads as file dependencies (their content is in the cache key; a README beside them is not)', () => {
    expect(loadYearbookNode.files!(loadYearbookNode.params.parse({ dir: 'data/yrd26' }))).toEqual(['data/yrd26/city_year.csv', 'data/yrd26/province_year.csv', 'data/yrd26/cities.csv']);
    expect(loadYearbookNode.files!(loadYearbookNode.params.parse({ dir: '../d', cityFile: 'c.csv' }))).toEqual(['../d/c.csv', '../d/province_year.csv', '../d/cities.csv']);
  });

  it('an unreadable directory says to check "dir"', () => {
    expect(() => load('no-such-dir')).toThrow(/cannot read no-such-dir\/city_year\.csv.*check "dir"/);
  });
});
