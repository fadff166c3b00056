// The one place that checks a path a user gave: workflow files, plugins and data (they must
// stay inside the project once symlinks are resolved, and be regular files or directories),
// and the folders flow writes (the cache and an out folder: a directory or creatable as one,
// not a special location, and for an out folder not holding an input nor inside one, nor
// overlapping the cache). Each returns a message for the caller to attach to its field, or
// throws a validate FlowError (exit code 2) before anything runs.
import { lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { FlowError } from '../errors.js';

/** Whether `abs` is `root` or below it (both as given: resolve symlinks first for real paths). */
export function inside(root: string, abs: string): boolean {
  const r = relative(root, abs);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

const real = (p: string): string | undefined => { try { return realpathSync(p); } catch { return undefined; } };

/** The real path of the nearest part of `abs` that exists, with the rest appended. */
function realish(abs: string): string {
  let head = abs; const tail: string[] = [];
  for (;;) {
    const r = real(head);
    if (r) return tail.length ? resolve(r, ...tail.reverse()) : r;
    const up = dirname(head);
    if (up === head) return abs;
    tail.push(head.slice(up.length).replace(/^[/\\]/, ''));
    head = up;
  }
}

/**
 * Why a file or directory the project reads (workflow, plugin, data) may not be read, or
 * undefined: it must exist, stay inside the project once symlinks are resolved, and be a
 * regular file or a directory (not a FIFO or a device).
 */
export function inputPathProblem(root: string, abs: string): string | undefined {
  const r = real(abs);
  if (!r) return 'does not exist (paths are relative to this workflow file)';
  const rroot = real(root) ?? root;
  if (!inside(rroot, r)) return `leads outside the project (${rroot}) through a symbolic link, to ${r}; copy the file into the project instead`;
  const st = statSync(r);
  if (!st.isFile() && !st.isDirectory()) return 'is not a regular file or a directory (a FIFO, a device or a socket); point it at a data file';
  return undefined;
}

/** Locations no cache or out folder may be in: the kernel's pseudo file systems. */
const SPECIAL = ['/proc', '/sys', '/dev'];

/** A folder flow writes (`what`: "--cache" or "--out"), made if missing; a validate FlowError when it cannot be. Returns its real path. */
export function writableDir(dir: string, what: string): string {
  const fail = (why: string) => new FlowError('validate', `${what} ${dir}: ${why}`);
  if (dir.includes('\0')) throw fail('the path holds a null byte');
  const abs = resolve(dir);
  if (abs.split(sep).some((part) => Buffer.byteLength(part) > 255) || Buffer.byteLength(abs) > 4095) throw fail('the path is too long (a name has at most 255 bytes, a path 4095)');
  const r = realish(abs);
  if (SPECIAL.some((s) => r === s || r.startsWith(s + '/'))) throw fail(`is in ${SPECIAL.find((s) => r === s || r.startsWith(s + '/'))}, a system folder; give a folder of your own`);
  const st = lstatSafe(r);
  if (st && !st.isDirectory()) throw fail('exists and is not a folder; give a folder (or a path that does not exist yet)');
  try { mkdirSync(r, { recursive: true }); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOTDIR' ? 'a part of the path is a file, not a folder'
      : code === 'EACCES' || code === 'EPERM' ? 'cannot be created here (permission denied)'
        : code === 'ENAMETOOLONG' ? 'the path is too long' : `cannot be created (${code ?? (e as Error).message})`);
  }
  return realpathSync(r);
}

const lstatSafe = (p: string) => { try { return lstatSync(p); } catch { return undefined; } };

/**
 * Why an out folder may not be used, or undefined: it must not be an input's location or
 * inside one (an output named like an input would replace it), not hold an input, and not
 * overlap the cache. `outReal`, `cacheReal` and the inputs are real paths.
 */
export function outDirProblem(outReal: string, cacheReal: string, inputs: string[], root: string): string | undefined {
  if (inside(cacheReal, outReal) || inside(outReal, cacheReal)) return `overlaps the cache (${cacheReal}); write outputs to a folder of their own`;
  const rroot = real(root) ?? root;
  for (const f of inputs) {
    const r = real(f) ?? f;
    if (inside(r, outReal)) return `is inside the input ${relative(rroot, r) || r}; write outputs to a folder of their own (e.g. out/<workflow>)`;
    if (inside(outReal, r)) return `holds the input ${relative(rroot, r) || r}, which an output could replace; write outputs to a folder of their own (e.g. out/<workflow>)`;
  }
  return undefined;
}
