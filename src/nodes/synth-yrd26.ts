// synth-yrd26: the seeded synthetic yearbook panel as tables, straight from the
// generator (the same content `flow synth` writes to data/yrd26), validated like files.
import { z } from 'zod';
import { defineNode } from '../graph/node.js';
import { generateYrd26 } from '../synth/yrd26.js';
import { validateYearbook } from './load-yearbook.js';

const params = z.object({
  seed: z.number().int().default(1).describe('PRNG seed; the same seed gives byte-identical files'),
  mess: z.boolean().default(false).describe('add a few missing cells and the 2011 Hefei boundary break'),
}).strict();

export const synthYrd26Node = defineNode({
  type: 'synth-yrd26',
  version: 1,
  description: 'Generate the synthetic raw yearbook panel of the 26 YRD cities (seeded DGP with known truth, data/yrd26/README.md)',
  params,
  inputs: {},
  outputs: {
    city: { type: 'table', description: 'city-year raw panel (load-yearbook layout)' },
    province: { type: 'table', description: 'province-year investment and FAI price index' },
    cities: { type: 'table', description: 'city facts with the drawn slope' },
    truth: { type: 'json', description: 'the true parameters (TRUTH.json)' },
  },
  run({ params: p }) {
    const g = generateYrd26({ seed: p.seed, mess: p.mess });
    const enc = (s: string) => new TextEncoder().encode(s);
    const tables = validateYearbook(
      { city: enc(g.files['city_year.csv']), province: enc(g.files['province_year.csv']), cities: enc(g.files['cities.csv']) },
      { city: 'synth:city_year.csv', province: 'synth:province_year.csv', cities: 'synth:cities.csv' },
    );
    return { ...tables, truth: g.truth };
  },
});
