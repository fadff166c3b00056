// Matrix copies' output files: safe names (no [ ] = , for shells to glob), the mapping in the
// out manifest, and a folder written with the old names renamed on the next run.
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { project, flow } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';
import { fileBase, fileNames } from '../../src/cli/out.js';

beforeAll(() => ensureBuilt(), 180_000);

describe('output file names of matrix copies', () => {
  it('fileBase: [k=v,...] becomes --k-v; plain ids are kept', () => {
    expect(fileBase('fe_ris[delta=0.096]')).toBe('fe_ris--delta-0.096');
    expect(fileBase('fe[delta=0.09,winsor=[0.01,0.99],pimBase=hall-jones]')).toBe('fe--delta-0.09--winsor-0.01-0.99--pimBase-hall-jones');
    expect(fileBase('w[wMethod=inverse-distance]')).toBe('w--wMethod-inverse-distance');
    expect(fileBase('table1')).toBe('table1');
    const n = fileNames(['a[x="p q"]', 'a[x=pq]']);
    expect(n.get('a[x="p q"]')).toBe('a--x-pq');
    expect(n.get('a[x=pq]')).toMatch(/^a--x-pq--[0-9a-f]{8}$/);
  });

  it('flow run writes fe--delta-0.096.out.json, maps it in the manifest, and renames files of the old names', () => {
    const dir = project({ 'wf.json': { plugins: ['./nodes.js'], out: 'out', params: { delta: 0.09 }, matrix: { delta: [0.09, 0.096] },
      nodes: { d: { uses: 't-const', with: { value: 100 } }, fe: { uses: 't-scale', with: { delta: '$delta' }, in: { x: 'd.out' } } } } });
    const r = flow(['run', 'wf.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'out');
    expect(readdirSync(out).filter((f) => !f.startsWith('.')).sort()).toEqual(['d.out.json', 'fe--delta-0.09.out.json', 'fe--delta-0.096.out.json']);
    const m = JSON.parse(readFileSync(join(out, '.flow-out.json'), 'utf8'));
    expect(m.names).toEqual({ 'fe[delta=0.09]': 'fe--delta-0.09', 'fe[delta=0.096]': 'fe--delta-0.096' });
    expect(Object.keys(m.outputs['fe[delta=0.096].out'].files)).toEqual(['fe--delta-0.096.out.json']);
    // a folder written before: the old name in the manifest and on disk
    renameSync(join(out, 'fe--delta-0.096.out.json'), join(out, 'fe[delta=0.096].out.json'));
    m.outputs['fe[delta=0.096].out'].files = { 'fe[delta=0.096].out.json': m.outputs['fe[delta=0.096].out'].files['fe--delta-0.096.out.json'] };
    writeFileSync(join(out, '.flow-out.json'), JSON.stringify(m));
    expect(flow(['run', 'wf.json'], dir).code).toBe(0);
    expect(readdirSync(out).filter((f) => !f.startsWith('.')).sort()).toEqual(['d.out.json', 'fe--delta-0.09.out.json', 'fe--delta-0.096.out.json']);
  });
});
