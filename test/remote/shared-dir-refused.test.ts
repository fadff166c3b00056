// A shared folder that refuses writes (a read-only mount, someone else's folder) is a
// read-only cache, not a failure. The refusal is simulated: tests run as root in CI, and
// root writes through chmod, so the file system's EACCES / EROFS / EPERM come from a mock
// of node:fs/promises' writeFile for paths under a "locked" folder.
import { describe, it, expect, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = (async (file: Parameters<typeof real.writeFile>[0], ...rest: unknown[]) => {
    const m = /[/\\]locked-(EACCES|EROFS|EPERM)[/\\]/.exec(String(file));
    if (m) throw Object.assign(new Error(`${m[1]}: refused, open '${String(file)}'`), { code: m[1] });
    return (real.writeFile as (...a: unknown[]) => Promise<void>)(file, ...rest);
  }) as typeof real.writeFile;
  return { ...real, writeFile, default: { ...real, writeFile } };
});

const { openBackend } = await import('../../src/remote/open.js');
const { ReadOnly } = await import('../../src/remote/backend.js');

describe('a shared folder that refuses writes', () => {
  it.each(['EACCES', 'EROFS', 'EPERM'])('%s: put throws ReadOnly, naming the cache, and leaves nothing', async (code) => {
    const tmp = mkdtempSync(join(tmpdir(), 'flow-refused-'));
    try {
      const root = join(tmp, `locked-${code}`);
      mkdirSync(root);
      const b = await openBackend(pathToFileURL(root).href);
      const hash = createHash('sha256').update('q').digest('hex');
      const err = await b.put(`cas/${hash}`, Buffer.from('q')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadOnly);
      expect((err as Error).message).toBe(`the shared cache ${pathToFileURL(root).href} is read-only for these credentials`);
      expect(await b.has(`cas/${hash}`)).toBe(false);
      const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(join(d, e.name)) : [e.name]);
      expect(files(root)).toEqual([]); // no object, no temp file left behind
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });
});
