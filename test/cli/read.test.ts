// flow read: outputs by node name from the cache (paper.json and robust-delta.json run on it):
// a table as CSV (--head), a model as JSON equal to the cached artifact, a table's report as
// its Markdown, a matrix copy by its bracketed id; not-run and unknown-node messages.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, flow } from '../graph/helpers.js';
import { Store } from '../../src/graph/store.js';
import { paperCache } from './paper-cache.js';

let cache = '';
beforeAll(async () => { cache = await paperCache(); }, 240_000);
const temps: string[] = [];
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });
const tempDir = (prefix: string) => { const d = mkdtempSync(join(tmpdir(), prefix)); temps.push(d); return d; };
const read = (...args: string[]) => flow(['read', ...args, '--cache', cache], REPO);
/** the model a workflow's last run left in the cache, read from the artifact itself */
const cachedModel = (wf: string, node: string) => {
  const store = new Store(cache);
  const key = store.readState(wf)!.nodes[node] as { key: string };
  const rec = store.getRecord(key.key)!;
  return JSON.parse(readFileSync(store.objectPath(rec.outputs.model.hash), 'utf8'));
};

describe('flow read', () => {
  it('prints a table as CSV; --head 3 gives the header and the first three rows', () => {
    const r = read('workflows/paper.json', 'est.table', '--head', '3');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(5); // header, 3 rows, the final newline
    expect(lines[0]).toMatch(/^city,province,year,va_primary,va_secondary,va_tertiary,/);
    expect(lines[0].split(',')).toHaveLength(55);
    expect(lines[1]).toMatch(/^Shanghai,Shanghai,2006,95\.28491,4722\.262,5487\.2525,/);
    expect(lines[2]).toMatch(/^Shanghai,Shanghai,2007,97\.791563,5429\.9898,6428\.3209,/);
    expect(lines[3]).toMatch(/^Shanghai,Shanghai,2008,107\.2728,6098\.5325,7679\.1372,/);
    expect(r.stderr).toBe('(the first 3 of 390 rows)\n');
    const all = read('workflows/paper.json', 'est.table').stdout.split('\n');
    expect(all).toHaveLength(392);
    expect(all.slice(0, 4)).toEqual(lines.slice(0, 4));
  });

  it('prints a model as JSON: the cached model, lnINF 0.036 for fe_ris and 0.035 with delta 0.096', () => {
    const m = JSON.parse(read('workflows/paper.json', 'fe_ris').stdout);
    expect(m).toEqual(cachedModel('workflows/paper.json', 'fe_ris'));
    const lnINF = m.coefficients.find((c: { term: string }) => c.term === 'lnINF');
    expect(lnINF.estimate.toFixed(3)).toBe('0.036');
    const d = JSON.parse(read('workflows/robust-delta.json', 'fe_ris.model').stdout);
    expect(d.coefficients.find((c: { term: string }) => c.term === 'lnINF').estimate).toBe(cachedModel('workflows/robust-delta.json', 'fe_ris').coefficients.find((c: { term: string }) => c.term === 'lnINF').estimate);
    expect(d.coefficients.find((c: { term: string }) => c.term === 'lnINF').estimate.toFixed(3)).toBe('0.035');
  });

  it('prints a table node\'s report as its Markdown, another file with --file', () => {
    const r = read('workflows/paper.json', 'table2');
    expect(r.stdout).toMatch(/^\*\*Table 2: two-way fixed effects \(baseline\)\*\*\n/);
    expect(r.stdout).toContain('\n| lnINF | 0.036*** (0.010) | 0.038*** (0.009) |\n');
    expect(read('workflows/paper.json', 'table2.report', '--file', 'table2.csv').stdout).toMatch(/^,\(1\),\(2\)\r\nDependent variable,RIS,AIS\r\nlnINF,0\.036\*\*\*,0\.038\*\*\*\r\n/);
    const rep = read('workflows/paper.json', 'report');
    expect(rep.code).toBe(2);
    expect(rep.stderr).toContain('report.report has no Markdown file; its files: paper.html: choose one with --file NAME (or --json)');
  });

  it('reads a matrix copy by its quoted id', () => {
    const id = 'fe_ris[delta=0.096,winsor=[0.01,0.99],pimBase=zhang]';
    const r = read('workflows/multiverse.json', id);
    expect(r.code, r.stderr).toBe(0);
    // the same fingerprint as robust-delta.json's fe_ris: that run's result
    expect(JSON.parse(r.stdout)).toEqual(cachedModel('workflows/robust-delta.json', 'fe_ris'));
    const many = read('workflows/multiverse.json', 'fe_ris');
    expect(many.code).toBe(2);
    expect(many.stderr).toContain("fe_ris has 8 matrix copies; name one, quoted: 'fe_ris[delta=0.09,winsor=[0.01,0.99],pimBase=zhang]', ");
  });

  it('names an unknown node and suggests the closest; asks for a port when there are several', () => {
    const r = read('workflows/paper.json', 'fe_rsi');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: workflows/paper.json: no node fe_rsi (did you mean "fe_ris" or "fe_ais"?); `flow graph workflows/paper.json` shows every node\n');
    expect(read('workflows/paper.json', 'panel').stderr).toContain('panel has outputs table, report: name one, e.g. flow read workflows/paper.json panel.table');
    expect(read('workflows/paper.json', 'fe_ris.modle').stderr).toContain('fe_ris (fe) has no output modle (did you mean "model"?); its outputs: model');
    expect(read('workflows/paper.json', 'fe_ris', '--head', '2').stderr).toContain('--head is for tables; fe_ris.model is a model');
  });

  it('says a node not yet run has not been run, and how to run it (exit 1)', () => {
    const empty = tempDir('flow-read-empty-');
    const r = flow(['read', 'workflows/paper.json', 'table2', '--cache', empty], REPO);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: workflows/paper.json: table2 has not been run on this cache (${empty}): run it with \`flow run workflows/paper.json --cache ${empty} --only table2\`\n`);
    const none = flow(['read', 'table2', '--cache', empty], REPO);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no run is recorded in');
  });

  it('without a workflow, reads from the workflow of the last run on the cache', () => {
    const own = tempDir('flow-read-last-');
    expect(flow(['run', 'workflows/robust-delta.json', '--no-out', '--only', 'fe_ris', '--cache', own], REPO).code).toBe(0);
    const r = flow(['read', 'fe_ris', '--cache', own], REPO);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^reading from workflows\/robust-delta\.json \(the last run on this cache, \d{4}-/);
    expect(JSON.parse(r.stdout).coefficients[0].estimate).toBe(cachedModel('workflows/robust-delta.json', 'fe_ris').coefficients[0].estimate);
  });
});
