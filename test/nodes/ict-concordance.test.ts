import { describe, it, expect } from 'vitest';
import * as aq from 'arquero';
import { ictConcordance } from '../../src/nodes/ict-concordance.js';
import { runNode } from './measure-helpers.js';

const raw = () =>
  aq.table({
    city: ['A', 'A', 'A'],
    year: [2011, 2012, 2013],
    fai_computer_services: [1, null, null],
    fai_software: [2, null, null],
    fai_info_transmission_it: [null, 5, 6],
  });

describe('ict-concordance', () => {
  it('sums computer services + software up to 2011 and the new sector from the switch year 2012', async () => {
    const { table } = await runNode(ictConcordance, {}, { data: raw() });
    // 2011: 1 + 2 = 3; 2012: 5; 2013: 6
    expect(Array.from(table.array('ict_invest'))).toEqual([3, 5, 6]);
  });

  it('moves the switch with switchYear', async () => {
    const { table } = await runNode(ictConcordance, { switchYear: 2013 }, { data: raw() });
    // 2012 now uses the old columns, which are empty: missing
    expect(Number.isNaN(table.array('ict_invest')[1])).toBe(true);
    expect(table.array('ict_invest')[2]).toBe(6);
  });

  it('names a missing column and lists the available ones', async () => {
    await expect(runNode(ictConcordance, { after: ['fai_it'] }, { data: raw() })).rejects.toThrow(/no column "fai_it".*available: city, year/);
  });

  it('rejects a text cell naming (city, year)', async () => {
    const t = raw().assign({ fai_software: ['NA', null, null] });
    await expect(runNode(ictConcordance, {}, { data: t })).rejects.toThrow(/"fai_software" is not numeric at \(A, 2011\) = "NA"/);
  });
});
