// The built variables from the shipped data, through the real node chain of
// workflows/data.json, against the paper's Table 1 (broad bands) and the DGP's truth.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { generateYrd26 } from '../../src/synth/yrd26.js';
import { runWorkflowDirect } from './workflow.js';

const WF = resolve(__dirname, '../../workflows/data.json');
const truth = JSON.parse(readFileSync(resolve(__dirname, '../../data/yrd26/TRUTH.json'), 'utf8'));

// Table 1 of the paper (N = 390) and the band each shipped moment must fall in.
const TABLE1: Record<string, { mean: number; sd: number; meanBand: [number, number]; sdBand: [number, number] }> = {
  RIS: { mean: 0.901, sd: 0.059, meanBand: [0.86, 0.94], sdBand: [0.035, 0.085] },
  AIS: { mean: 0.108, sd: 0.063, meanBand: [0.07, 0.16], sdBand: [0.035, 0.1] },
  lnINF: { mean: 14.33, sd: 1.062, meanBand: [13.9, 14.8], sdBand: [0.75, 1.35] },
  lnTrainfra: { mean: 3.117, sd: 0.498, meanBand: [2.85, 3.4], sdBand: [0.3, 0.7] },
  Humcapital: { mean: 0.023, sd: 0.02, meanBand: [0.014, 0.032], sdBand: [0.01, 0.03] },
  SConsume: { mean: 0.352, sd: 0.071, meanBand: [0.3, 0.4], sdBand: [0.04, 0.1] },
  Govexp: { mean: 0.131, sd: 0.049, meanBand: [0.1, 0.16], sdBand: [0.025, 0.07] },
  FD: { mean: 1.512, sd: 0.543, meanBand: [1.25, 1.8], sdBand: [0.35, 0.75] },
};

describe('calibration: the shipped panel through workflows/data.json', () => {
  let out: Awaited<ReturnType<typeof runWorkflowDirect>>;
  beforeAll(async () => { out = await runWorkflowDirect(WF); });

  it('has the N of the paper and Table-1 moments within broad bands', () => {
    const rows = out.table1.table.objects() as { var: string; N: number; mean: number; sd: number; min: number; max: number }[];
    const lines = ['var          N    mean (paper)        sd (paper)        min      max'];
    for (const r of rows) {
      const t = TABLE1[r.var];
      lines.push(`${r.var.padEnd(11)} ${r.N}  ${r.mean.toFixed(4)} (${t.mean})  ${r.sd.toFixed(4)} (${t.sd})  ${r.min.toFixed(4)}  ${r.max.toFixed(4)}`);
    }
    console.log(lines.join('\n'));
    expect(rows.map((r) => r.var)).toEqual(Object.keys(TABLE1));
    for (const r of rows) {
      const t = TABLE1[r.var];
      expect(r.N, r.var).toBe(390);
      expect(r.mean, `${r.var} mean`).toBeGreaterThanOrEqual(t.meanBand[0]);
      expect(r.mean, `${r.var} mean`).toBeLessThanOrEqual(t.meanBand[1]);
      expect(r.sd, `${r.var} sd`).toBeGreaterThanOrEqual(t.sdBand[0]);
      expect(r.sd, `${r.var} sd`).toBeLessThanOrEqual(t.sdBand[1]);
    }
  });

  it('builds RIS, AIS and lnINF equal to the generator\'s latent values (no winsorising)', async () => {
    const raw = await runWorkflowDirect(WF, { winsor: false });
    const t = raw.panel.table;
    const g = generateYrd26({ seed: truth.seed });
    const city = t.array('city') as string[], year = t.array('year') as Float64Array;
    let risMax = 0, lnMax = 0, aisOff = 0;
    for (let r = 0; r < t.numRows(); r++) {
      const k = g.panel.cities.indexOf(city[r]) * g.panel.years.length + (year[r] - g.panel.years[0]);
      risMax = Math.max(risMax, Math.abs(t.array('RIS')[r] - g.panel.ris[k]));
      lnMax = Math.max(lnMax, Math.abs(t.array('lnINF')[r] - g.panel.lnINF[k]));
      if (Math.abs(t.array('AIS')[r] - g.panel.ais[k]) > 1e-6) aisOff++;
    }
    expect(risMax).toBeLessThan(1e-6);   // RIS: exact (8 significant digits in the files)
    expect(lnMax).toBeLessThan(1e-6);
    expect(aisOff).toBe(truth.ais.clamped);
    expect(truth.ais.clamped).toBeLessThanOrEqual(10);
  });

  it('gives the mechanism variables and the instrument', () => {
    const t = out.panel.table;
    for (const c of ['innovation', 'intelligence', 'lnTFP', 'LQ', 'slope_year', 'size_class', 'lnHumcapital', 'lnSConsume', 'lnFD']) expect(t.columnNames()).toContain(c);
    expect((out.intel.report as any).vars).toEqual(['internet_pc', 'ai_pc', 'robot_exposure']);
  });

  it('survives the messy variant: missing cells are interpolated, the boundary break stays visible', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yrd26-mess-'));
    for (const [f, txt] of Object.entries(generateYrd26({ seed: truth.seed, mess: true }).files)) writeFileSync(join(dir, f), txt);
    const m = await runWorkflowDirect(WF, { dataDir: dir });
    expect(m.panel.table.numRows()).toBe(390);
    const filled = (m.panel.report as { filled: { id: string; var: string }[] }).filled;
    expect(filled.length).toBeGreaterThanOrEqual(5); // the missing cells, filled and reported
    const pop = (y: number) => (m.raw.city.objects() as any[]).find((r) => r.city === 'Hefei' && r.year === y).pop;
    expect(pop(2011) / pop(2010)).toBeGreaterThan(1.2);
  });
});
