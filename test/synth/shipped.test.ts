import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { generateYrd26, CITY_COLUMNS, PROVINCE_COLUMNS, CITIES_COLUMNS, terrainGroup } from '../../src/synth/yrd26.js';
import { synthCommand } from '../../src/cli/synth.js';
import { synthYrd26Node } from '../../src/nodes/synth-yrd26.js';
import { loadYearbookNode } from '../../src/nodes/load-yearbook.js';
import { parseCsv } from './build.js';

const DATA = resolve(__dirname, '../../data/yrd26');
const shipped = (f: string) => readFileSync(join(DATA, f), 'utf8');
const truth = JSON.parse(shipped('TRUTH.json'));
const FILES = ['city_year.csv', 'province_year.csv', 'cities.csv', 'TRUTH.json'] as const;

describe('the shipped data/yrd26 files', () => {
  it('are byte-identical to the generator output for the seed in TRUTH.json', () => {
    const g = generateYrd26({ seed: truth.seed, mess: truth.mess });
    for (const f of FILES) expect(g.files[f] === shipped(f), `${f} differs from generateYrd26({ seed: ${truth.seed} }): run \`flow synth --seed ${truth.seed} --out data/yrd26\``).toBe(true);
  });

  it('flow synth writes the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-'));
    synthCommand({ seed: truth.seed, out: dir });
    for (const f of FILES) expect(readFileSync(join(dir, f), 'utf8')).toBe(shipped(f));
  });

  it('have the agreed layout: 468 city-years, 72 province-years, 26 cities', () => {
    const c = parseCsv(shipped('city_year.csv')), p = parseCsv(shipped('province_year.csv')), k = parseCsv(shipped('cities.csv'));
    expect(c.header).toEqual([...CITY_COLUMNS]);
    expect(p.header).toEqual([...PROVINCE_COLUMNS]);
    expect(k.header).toEqual([...CITIES_COLUMNS]);
    expect([c.rows.length, p.rows.length, k.rows.length]).toEqual([468, 72, 26]);
    // the 2012 reclassification: old ICT columns up to 2011, the new one from 2012
    const y = c.header.indexOf('year'), cs = c.header.indexOf('fai_computer_services'), it2 = c.header.indexOf('fai_info_transmission_it');
    for (const r of c.rows) {
      expect(r[cs] === '').toBe(Number(r[y]) >= 2012);
      expect(r[it2] === '').toBe(Number(r[y]) <= 2011);
    }
  });

  it('are documented column by column in README.md, with the truth', () => {
    const readme = shipped('README.md');
    for (const col of new Set([...CITY_COLUMNS, ...PROVINCE_COLUMNS, ...CITIES_COLUMNS])) expect(readme, col).toContain(`\`${col}\``);
    expect(readme).toContain(String(truth.ris.total));
    expect(readme).toContain(String(truth.ais.total));
  });
});

describe('generateYrd26', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other data', () => {
    const a = generateYrd26({ seed: 7 }), b = generateYrd26({ seed: 7 }), c = generateYrd26({ seed: 8 });
    for (const f of FILES) expect(a.files[f]).toBe(b.files[f]);
    expect(a.files['city_year.csv']).not.toBe(c.files['city_year.csv']);
  });

  it('keeps the real city facts and draws the slope from the terrain class', () => {
    const k = parseCsv(generateYrd26({ seed: 3 }).files['cities.csv']);
    const col = (n: string) => k.header.indexOf(n);
    const sh = k.rows.find((r) => r[0] === 'Shanghai')!;
    expect(Number(sh[col('gdp2020')])).toBe(38700.58);
    for (const r of k.rows) {
      const s = Number(r[col('slope')]);
      const [lo, hi] = { plain: [0.5, 2], mixed: [3, 7], hilly: [8, 15] }[terrainGroup(r[col('terrain_class')])];
      expect(s).toBeGreaterThanOrEqual(lo);
      expect(s).toBeLessThanOrEqual(hi);
    }
  });

  it('reproduces the 2020 GDP facts (value added sums to the yearbook GDP)', () => {
    const c = parseCsv(shipped('city_year.csv')), k = parseCsv(shipped('cities.csv'));
    const col = (n: string) => c.header.indexOf(n);
    for (const f of k.rows) {
      const r = c.rows.find((x) => x[0] === f[0] && x[2] === '2020')!;
      const gdp = ['va_primary', 'va_secondary', 'va_tertiary'].reduce((s, n) => s + Number(r[col(n)]), 0);
      expect(gdp / Number(f[k.header.indexOf('gdp2020')])).toBeCloseTo(1, 6);
    }
  });

  it('with mess: a few missing cells and the 2011 Hefei boundary break', () => {
    const clean = parseCsv(generateYrd26({ seed: 1 }).files['city_year.csv']);
    const messy = parseCsv(generateYrd26({ seed: 1, mess: true }).files['city_year.csv']);
    const empties = (t: typeof clean) => t.rows.reduce((s, r) => s + r.filter((x) => x === '').length, 0);
    const extra = empties(messy) - empties(clean);
    expect(extra).toBeGreaterThanOrEqual(5);
    expect(extra).toBeLessThanOrEqual(10);
    const pop = (t: typeof clean, y: number) => Number(t.rows.find((r) => r[0] === 'Hefei' && r[2] === String(y))![t.header.indexOf('pop')]);
    expect(pop(messy, 2011) / pop(messy, 2010)).toBeGreaterThan(1.2); // Chaohu's counties join
    expect(pop(clean, 2011) / pop(clean, 2010)).toBeLessThan(1.1);
  });

  it('the synth-yrd26 node gives the tables load-yearbook reads from the shipped files', async () => {
    const fromNode = await synthYrd26Node.run({ params: synthYrd26Node.params.parse({ seed: truth.seed }), inputs: {}, nodeId: 's', resolvePath: (p) => p }) as Record<string, any>;
    const fromFiles = loadYearbookNode.run({ params: loadYearbookNode.params.parse({ dir: DATA }), inputs: {}, nodeId: 'raw', resolvePath: (p) => p }) as Record<string, any>;
    for (const t of ['city', 'province', 'cities']) expect(fromNode[t].objects()).toEqual(fromFiles[t].objects());
    expect(fromNode.truth).toEqual(truth);
  });
});
