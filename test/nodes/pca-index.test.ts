import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import * as aq from 'arquero';
import { pcaIndex } from '../../src/nodes/pca-index.js';
import { runNode } from './measure-helpers.js';

const here = new URL('../fixtures/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('pca_usarrests.json', here), 'utf8')).pca;
const usa = () => aq.fromCSV(readFileSync(new URL('usarrests.csv', here), 'utf8'));
const vars = ['Murder', 'Assault', 'UrbanPop', 'Rape'];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('pca-index', () => {
  it('adds the first component of USArrests as prcomp(scale. = TRUE) up to sign, with Murder loading positively', async () => {
    const { table, report } = await runNode(pcaIndex, { vars, out: 'pc', id: 'state' }, { data: usa() });
    // R's PC1 has Murder at -0.536: the sign rule flips it
    expect(report.loadings.Murder[0]).toBeGreaterThan(0);
    Object.values(ref.scores_first5).forEach((row: any, i) => expect(rel(-table.array('pc')[i], row.PC1)).toBeLessThan(1e-6));
    vars.forEach((v) => expect(rel(-report.loadings[v][0], ref.rotation[v].PC1)).toBeLessThan(1e-6));
    expect(rel(report.varianceExplained[0], ref.variance_explained.PC1)).toBeLessThan(1e-6);
    expect(report.n).toBe(50);
  });

  it('adds further component scores on request', async () => {
    const { table } = await runNode(pcaIndex, { vars, out: 'pc', components: 2 }, { data: usa() });
    expect(rel(Math.abs(table.array('pc_pc2')[0]), Math.abs(ref.scores_first5.Alabama.PC2))).toBeLessThan(1e-6);
  });

  it('leaves rows with a missing indicator out of the fit and lists them, or refuses them', async () => {
    const t = usa().derive({ Rape: (d: any) => (d.state === 'Alaska' ? NaN : d.Rape) });
    const { table, report } = await runNode(pcaIndex, { vars, id: 'state' }, { data: t });
    expect(report.n).toBe(49);
    expect(report.skipped).toEqual(['(Alaska)']);
    expect(Number.isNaN(table.array('intel_index')[1])).toBe(true);
    await expect(runNode(pcaIndex, { vars, id: 'state', missing: 'error' }, { data: t })).rejects.toThrow(/missing at \(Alaska\)/);
  });

  it('rejects a constant indicator', async () => {
    const t = usa().derive({ UrbanPop: () => 1 });
    await expect(runNode(pcaIndex, { vars }, { data: t })).rejects.toThrow(/"UrbanPop" is constant/);
  });
});
