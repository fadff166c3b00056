// One place checks paths (src/graph/paths.ts): symlink escapes refused for data dirs, data
// files and workflow files; an out folder that holds or sits inside an input refused before
// anything runs; bad --out / --cache paths give exit code 2 and a clear message, no node run.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { project, flow } from '../graph/helpers.js';
import { writableDir } from '../../src/graph/paths.js';
import { ensureBuilt } from '../cli/build.js';

beforeAll(() => ensureBuilt(), 180_000);

const reader = (path: string) => ({ plugins: ['./nodes.js'], nodes: { r: { uses: 't-read', with: { path, log: 'log.txt' } } } });
const refused = (r: { code: number | null; stderr: string }, re: RegExp) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(re);
  expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
};

describe('symlink escapes', () => {
  const outside = mkdtempSync(join(tmpdir(), 'flow-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'outside the project');
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'dir/x.txt'), 'x');
  writeFileSync(join(outside, 'wf.json'), JSON.stringify(reader('data/in.txt')));

  it('a data file, a data dir and a workflow file that lead outside the project are refused', () => {
    const dir = project({ 'data/in.txt': 'inside', 'file.json': reader('data/link.txt'), 'dir.json': reader('data/linkdir/x.txt') });
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'data/link.txt'));
    symlinkSync(join(outside, 'dir'), join(dir, 'data/linkdir'));
    symlinkSync(join(outside, 'wf.json'), join(dir, 'linked.json'));
    refused(flow(['run', 'file.json'], dir), /file\.json: nodes\.r\.with: data\/link\.txt leads outside the project .* through a symbolic link/);
    refused(flow(['run', 'dir.json'], dir), /data\/linkdir\/x\.txt leads outside the project/);
    refused(flow(['run', 'linked.json'], dir), /the workflow file leads outside the project/);
    expect(existsSync(join(dir, 'log.txt'))).toBe(false);
    // a symlink that stays inside the project is fine
    symlinkSync(join(dir, 'data/in.txt'), join(dir, 'data/alias.txt'));
    writeFileSync(join(dir, 'alias.json'), JSON.stringify(reader('data/alias.txt')));
    expect(flow(['run', 'alias.json', '--no-out'], dir).code).toBe(0);
  });

  it('a data file turned into an escaping symlink after its plan was cached is refused at run time', () => {
    const dir = project({ 'data/in.txt': 'inside', 'wf.json': reader('data/in.txt') });
    expect(flow(['run', 'wf.json', '--no-out'], dir).code).toBe(0); // the plan is cached now
    rmSync(join(dir, 'data/in.txt'));
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'data/in.txt'));
    const r = flow(['run', 'wf.json', '--no-out', '--json'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/data\/in\.txt leads outside the project/);
    expect(r.stdout).not.toContain('outside the project"}'); // the content was never read: no output of it
  });
});

describe('out folders that would overwrite inputs', () => {
  it('an out folder inside a data folder, or holding an input, is refused before anything runs', () => {
    const dir = project({
      'data/yrd/city_year.csv': 'a,b\n1,2\n',
      'into.json': { ...reader('data/yrd/city_year.csv'), out: 'data/yrd' },
      'below.json': { ...reader('data/yrd/city_year.csv'), out: 'data/yrd/out' },
      'ok.json': { ...reader('data/yrd/city_year.csv'), out: 'out/ok' },
    });
    refused(flow(['run', 'into.json'], dir), /out .*data\/yrd: holds the input data\/yrd\/city_year\.csv, which an output could replace/);
    refused(flow(['run', 'ok.json', '--out', 'data'], dir), /ok\.json: --out data: holds the input data\/yrd\/city_year\.csv/);
    refused(flow(['run', 'ok.json', '--out', '.'], dir), /--out \.: overlaps the cache/);
    refused(flow(['run', 'ok.json', '--out', 'cache'], dir), /--out cache: overlaps the cache/);
    expect(existsSync(join(dir, 'log.txt'))).toBe(false); // nothing ran
    expect(readFileSync(join(dir, 'data/yrd/city_year.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(flow(['run', 'ok.json'], dir).code).toBe(0);
    expect(flow(['run', 'below.json'], dir).code).toBe(0); // a folder of its own below the data is not the data's location
  });
});

describe('bad --out and --cache', () => {
  it('EEXIST, ENOTDIR, ENAMETOOLONG and /proc/self: exit 2 with a clear message before any node runs', () => {
    const dir = project({ 'data/in.txt': 'x', 'wf.json': reader('data/in.txt'), 'afile': 'not a folder' });
    const long = 'x'.repeat(300);
    for (const flag of ['--out', '--cache']) {
      refused(flow(['run', 'wf.json', flag, 'afile'], dir), new RegExp(`${flag} afile: exists and is not a folder`));
      refused(flow(['run', 'wf.json', flag, 'afile/sub'], dir), new RegExp(`${flag} afile/sub: a part of the path is a file, not a folder`));
      refused(flow(['run', 'wf.json', flag, long], dir), new RegExp(`${flag} x{60}\\.\\.\\.\\(300 characters\\): the path is too long`));
      refused(flow(['run', 'wf.json', flag, '/proc/self'], dir), new RegExp(`${flag} /proc/self: is in /proc, a system folder`));
    }
    expect(existsSync(join(dir, 'log.txt'))).toBe(false);
  });

  it('a null byte in a path is refused (the shell cannot pass one: checked on the function)', () => {
    expect(() => writableDir('out\0x', '--out')).toThrow(/--out out\0x: the path holds a null byte/);
    try { writableDir('out\0x', '--cache'); } catch (e) { expect((e as { kind: string }).kind).toBe('validate'); }
  });
});
