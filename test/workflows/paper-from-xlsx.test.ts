// workflows/paper-from-xlsx.json: the yearbook read from an Excel workbook with Chinese
// headers and merged header cells, the province table from a GBK CSV, renamed, reshaped,
// appended and joined, gives the same models as paper.json (which reads data/yrd26's CSVs):
// the model JSON of Table 2 (and the IV of Table 3) is identical, byte for byte. Run through
// the compiled CLI in a throwaway copy of the project, each workflow with its own cache.
// Also: the committed inputs are what src/synth/workbook.ts makes from data/yrd26.
import { describe, it, expect, beforeAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, flow, jsonLines } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';
import { buildWorkbookFiles } from '../../src/synth/workbook.js';
import { loadWorkbook } from '../../src/io/xlsx.js';

let dir = '';
const run = (wf: string, cache: string) => {
  const r = flow(['run', `workflows/${wf}`, '--json', '--cache', join(dir, cache)], dir);
  if (r.code !== 0) throw new Error(`flow run ${wf} exited ${r.code}\n${r.stderr}\n${r.stdout.slice(-3000)}`);
  return jsonLines(r.stdout).at(-1).summary as { ran: string[]; failed: string[]; skipped: string[] };
};
const out = (wf: string, f: string) => readFileSync(join(dir, 'out', wf, f), 'utf8');

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'flow-xlsx-wf-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  for (const d of ['data/yrd26', 'data/yrd26-xlsx']) cpSync(join(REPO, d), join(dir, d), { recursive: true });
  for (const f of readdirSync(join(REPO, 'workflows')).filter((f) => f.endsWith('.json'))) cpSync(join(REPO, 'workflows', f), join(dir, 'workflows', f));
  for (const wf of ['paper.json', 'paper-from-xlsx.json']) {
    const s = run(wf, `cache-${wf}`);
    if (s.failed.length || s.skipped.length) throw new Error(`${wf}: failed ${s.failed}, skipped ${s.skipped}`);
  }
}, 240_000);

describe('workflows/paper-from-xlsx.json', () => {
  it('gives the model JSON of paper.json for Table 2 (fe_ris, fe_ais) and the IV columns, and the same Table 2', () => {
    for (const m of ['fe_ris', 'fe_ais', 'iv_ris', 'iv_ais']) {
      const a = JSON.parse(out('paper', `${m}.model.json`)), b = JSON.parse(out('paper-from-xlsx', `${m}.model.json`));
      expect(b).toEqual(a);
      expect(a.coefficients[0]).toMatchObject({ term: 'lnINF' });
    }
    // the tables' titles name the branch ("Table 2: ... (from the Excel workbook)"); all else is equal
    const unbranched = (t: string) => t.replaceAll('(from the Excel workbook)', '(baseline)');
    expect(unbranched(out('paper-from-xlsx', 'table2/table2.md'))).toBe(out('paper', 'table2/table2.md'));
    expect(out('paper-from-xlsx', 'raw.city.csv')).toBe(out('paper', 'raw.city.csv'));
    expect(out('paper-from-xlsx', 'raw.province.csv')).toBe(out('paper', 'raw.province.csv'));
  });

  it('after paper.json, every paper.json node past raw is a cache hit but the tables, whose titles name the branch', () => {
    const s = run('paper-from-xlsx.json', 'cache-paper.json');
    const own = new Set(['raw', 'report', 'city_facts', 'province_names']);
    const ran = s.ran.filter((n) => !own.has(n) && !n.startsWith('xl_') && !n.startsWith('gbk_'));
    expect(ran.filter((n) => !/^table/.test(n))).toEqual([]);
    expect(ran.length).toBeGreaterThanOrEqual(7); // tables 1-7 re-run for their titles
  });

  it('the committed workbook and GBK CSV are what src/synth/workbook.ts makes from data/yrd26', async () => {
    const read = (f: string) => readFileSync(join(REPO, f), 'utf8');
    const made = await buildWorkbookFiles({ cityYear: read('data/yrd26/city_year.csv'), provinceYear: read('data/yrd26/province_year.csv'), cities: read('data/yrd26/cities.csv'), names: read('data/yrd26/names.csv'), provinces: read('data/yrd26-xlsx/provinces.csv') });
    expect(made['province_year.gbk.csv'].equals(readFileSync(join(REPO, 'data/yrd26-xlsx/province_year.gbk.csv')))).toBe(true);
    // .xlsx bytes carry zip timestamps: compare what a reader sees, sheet by sheet, cell by cell, and the merges
    const [a, b] = await Promise.all([loadWorkbook(made['yearbook.xlsx']), loadWorkbook(readFileSync(join(REPO, 'data/yrd26-xlsx/yearbook.xlsx')))]);
    expect(b.worksheets.map((w) => w.name)).toEqual(['上海', '江苏', '浙江', '安徽', '年末常住人口']);
    const dump = (w: typeof a.worksheets[number]) => { const v: unknown[] = []; w.eachRow((r) => v.push(r.values)); return { v, merges: (w.model as { merges?: string[] }).merges }; };
    a.worksheets.forEach((w, i) => expect(dump(b.worksheets[i])).toEqual(dump(w)));
  });
});
