// One place reads a declared input (src/graph/inputs.ts): the bytes a node gets are the bytes
// its key was made of; FIFOs, devices and oversized files are refused with a clear message;
// the stat cache is trusted only when size, mtime, ctime, inode and device are unchanged and
// the entry is not racy.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { project, runIn, outputOf, plan } from '../graph/helpers.js';
import { Store } from '../../src/graph/store.js';
import { hashPath } from '../../src/graph/hash.js';
import { READ_MAX_BYTES, RACY_MS, trusted, statEntry } from '../../src/graph/inputs.js';
import { readInputText, TEXT_MAX_BYTES } from '../../src/nodes/read-input.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const wf = (path = 'data/in.txt') => ({ plugins: ['./nodes.js'], nodes: { f: { uses: 't-readfile', with: { path } } } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reading declared inputs', () => {
  it('refuses a FIFO at validation and when it appears after (no hang), naming the file', async () => {
    const dir = project({ 'wf.json': wf(), 'data/in.txt': 'abc' });
    expect(spawnSync('mkfifo', [join(dir, 'data/pipe')]).status).toBe(0);
    writeFileSync(join(dir, 'pipe.json'), JSON.stringify(wf('data/pipe')));
    await expect(plan(dir, 'pipe.json')).rejects.toThrow(/data\/pipe is not a regular file or a directory/);
    // the hashing layer itself: open without blocking, then refuse
    expect(() => hashPath(join(dir, 'data/pipe'), {}, { value: false })).toThrow(/is a FIFO \(named pipe\); flow reads regular files only/);
    // planned while it was a file, a FIFO by the time it runs
    const p = await plan(dir);
    unlinkSync(join(dir, 'data/in.txt'));
    renameSync(join(dir, 'data/pipe'), join(dir, 'data/in.txt'));
    const { lastValueFrom, toArray } = await import('rxjs');
    const { run } = await import('../../src/graph/scheduler.js');
    const events = await lastValueFrom(run(p, { store: new Store(join(dir, 'cache')) }).pipe(toArray()));
    const failed = events.find((e) => e.type === 'failed') as { error: Error } | undefined;
    expect(failed?.error.message).toMatch(/data\/in\.txt is not a regular file or a directory/);
  });

  it('refuses a symlink to /dev/zero (outside the project) and a file over the size limit, naming the limit', async () => {
    const dir = project({ 'wf.json': wf('data/zero'), 'data/in.txt': 'abc' });
    symlinkSync('/dev/zero', join(dir, 'data/zero'));
    await expect(plan(dir)).rejects.toThrow(/data\/zero leads outside the project .* to \/dev\/zero/);
    // a sparse file one byte over the limit: refused before anything is read
    const big = join(dir, 'data/big.csv');
    const fd = openSync(big, 'w'); ftruncateSync(fd, READ_MAX_BYTES + 1); closeSync(fd);
    expect(() => hashPath(big, {}, { value: false })).toThrow(/big\.csv is 2048 MB, more than the 2048 MB flow reads from one file; split it/);
  });

  it('a text reader refuses a file too large for one string with the file and the limit (not a raw V8 message)', () => {
    const huge = { byteLength: TEXT_MAX_BYTES + 1 } as unknown as Buffer; // the check looks at the size only
    expect(() => readInputText({ readFile: () => huge, resolvePath: (p) => p }, 'w.csv')).toThrow(/w\.csv is 512 MB; this node reads text files of up to 512 MB/);
  });

  it('ctx.readFile refuses a file the node did not declare (its content would not be in the key)', async () => {
    const dir = project({
      'wf.json': { plugins: ['./sneaky.js'], nodes: { s: { uses: 't-sneaky', with: { path: 'data/in.txt' } } } },
      'data/in.txt': 'abc', 'data/other.txt': 'xyz',
      'sneaky.js': `import { z } from 'zod';
export const sneaky = { type: 't-sneaky', version: 1, description: 'declares one file, reads another',
  params: z.object({ path: z.string() }), inputs: {}, outputs: { out: { type: 'json' } }, files: (p) => [p.path],
  run: (ctx) => ({ out: ctx.readFile('data/other.txt').toString() }) };`,
    });
    const r = await runIn(dir);
    expect(r.summary.failed).toEqual(['s']);
    const failed = r.events.find((e) => e.type === 'failed') as { error: Error };
    expect(failed.error.message).toMatch(/reads data\/other\.txt, which is not among the files it declares/);
  });

  it('a node that runs gets the bytes its key is of, even when the stat cache vouched for other content', async () => {
    const dir = project({ 'wf.json': wf(), 'data/in.txt': 'old content' });
    await runIn(dir);
    // a stat entry that matches the file's stat but names the hash of other content, recorded long ago
    const store = new Store(join(dir, 'cache'));
    const abs = join(dir, 'data/in.txt');
    writeFileSync(abs, 'new content');
    const st = statSync(abs, { bigint: true });
    store.writeStats({ [abs]: statEntry(st, sha('old content'), Date.now() + RACY_MS) });
    const r = await runIn(dir, 'wf.json', { force: ['f'] });
    expect(r.ran).toEqual(['f']);
    expect(outputOf(dir, r, 'f')).toEqual({ a: 'new content', b: 'new content', shared: true });
    const key = (r.events.find((e) => e.type === 'ran') as { key: string }).key;
    expect(store.getRecord(key)!.fingerprint.files).toEqual({ 'data/in.txt': sha('new content') });
  });
});

describe('the stat cache', () => {
  it('sees an in-place edit that keeps size and mtime (utimes set back)', async () => {
    const dir = project({ 'wf.json': wf(), 'data/in.txt': 'AAAA' });
    const abs = join(dir, 'data/in.txt');
    expect((await runIn(dir)).ran).toEqual(['f']);
    await sleep(RACY_MS + 100); // past the racy window: the next run trusts the entry
    const stats = JSON.parse(readFileSync(join(dir, 'cache/stat.json'), 'utf8'));
    const hit = await runIn(dir);
    expect(hit.hit).toEqual(['f']);
    const before = statSync(abs, { bigint: true });
    expect(spawnSync('touch', ['-r', abs, join(dir, 'stamp')]).status).toBe(0);
    writeFileSync(abs, 'BBBB'); // same size, same inode
    expect(spawnSync('touch', ['-r', join(dir, 'stamp'), abs]).status).toBe(0); // mtime set back, to the nanosecond
    const after = statSync(abs, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino, after.dev]).toEqual([before.size, before.mtimeNs, before.ino, before.dev]);
    const r = await runIn(dir);
    expect(r.ran).toEqual(['f']);
    expect(outputOf(dir, r, 'f')).toEqual({ a: 'BBBB', b: 'BBBB', shared: true });
    expect(stats[abs].sha256).toBe(sha('AAAA'));
  }, 20_000);

  it('trusts an entry only with every stat field unchanged and not recorded within the racy window', () => {
    const dir = project({ 'data/in.txt': 'x' });
    const st = statSync(join(dir, 'data/in.txt'), { bigint: true });
    const changed = Number(st.ctimeNs > st.mtimeNs ? st.ctimeNs : st.mtimeNs) / 1e6;
    const e = (at: number) => statEntry(st, sha('x'), at);
    expect(trusted(e(changed + RACY_MS), st)).toBe(true);
    expect(trusted(e(changed + RACY_MS - 1), st)).toBe(false); // racy: the file changed too close to the recording
    for (const f of ['size', 'mtime', 'ctime', 'ino', 'dev'] as const) {
      const bad = { ...e(changed + RACY_MS), [f]: f === 'size' ? 999 : '1' };
      expect(trusted(bad, st), f).toBe(false);
    }
    expect(trusted({ size: 1, mtime: '1', ino: 1, sha256: 'x' } as never, st)).toBe(false); // an entry of the old format
  });
});
