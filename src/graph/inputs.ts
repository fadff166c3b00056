// The one place that reads a file a node declared (its `files(params)`): the scheduler hashes
// a file with these functions and hands the node the very bytes it hashed (ctx.readFile), and
// a worker thread reads through them and checks the hash. A file is opened first and its type
// checked on the open descriptor (no window between a check and the read): FIFOs, devices,
// sockets are refused (a FIFO would hang the run, /dev/zero would fill memory), and so is a
// file larger than READ_MAX_BYTES, with a message naming the file and the limit.
// The stat cache (size, mtime, ctime, inode, device -> sha256) saves hashing a file that has
// not changed; an entry is trusted only when every one of those is unchanged and the file had
// not been modified within RACY_MS of when the entry was recorded (an edit in the same clock
// tick as the recording could otherwise keep every stat field).
import { createHash } from 'node:crypto';
import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readSync, type BigIntStats } from 'node:fs';
import { FlowError } from '../errors.js';

/** The largest file flow reads (whole, into one shared buffer): 2 GiB. */
export const READ_MAX_BYTES = 2 ** 31;
/** A stat entry recorded less than this long after the file's last change is not trusted. */
export const RACY_MS = 2000;

export interface StatEntry { size: number; mtime: string; ctime: string; ino: string; dev: string; sha256: string; /** ms since the epoch when the stat was taken */ at: number }
export type StatCache = Record<string, StatEntry>;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0); // a FIFO must not block the open

const kindOf = (st: BigIntStats) => st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device'
  : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : 'not a regular file';

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;

/** A declared input flow will not read: `path` (absolute) and why, for the caller to name it. */
export class InputRefused extends FlowError {
  constructor(readonly path: string, readonly reason: string, shown: string) { super('data', `${shown} ${reason}`, { file: shown }); }
}

/** Checks what an open descriptor is: a regular file within the size limit, else a clear error. */
function checkOpen(fd: number, st: BigIntStats, abs: string, shown: string): void {
  if (!st.isFile()) { closeSync(fd); throw new InputRefused(abs, `is ${kindOf(st)}; flow reads regular files only (point the path at a data file)`, shown); }
  if (st.size > BigInt(READ_MAX_BYTES)) {
    closeSync(fd);
    throw new InputRefused(abs, `is ${mb(Number(st.size))}, more than the ${mb(READ_MAX_BYTES)} flow reads from one file; split it (e.g. by year) or convert it to a compact format (.dta)`, shown);
  }
}

/** Opens a declared input and checks it (checkOpen); `shown` names it in messages. */
export function openInput(abs: string, shown = abs): { fd: number; st: BigIntStats } {
  const fd = openSync(abs, OPEN_FLAGS);
  let st: BigIntStats;
  try { st = fstatSync(fd, { bigint: true }); } catch (e) { closeSync(fd); throw e; }
  checkOpen(fd, st, abs, shown);
  return { fd, st };
}

/** A stat cache entry for what was read, taken from the open descriptor before the read. */
export const statEntry = (st: BigIntStats, sha256: string, at: number): StatEntry =>
  ({ size: Number(st.size), mtime: st.mtimeNs.toString(), ctime: st.ctimeNs.toString(), ino: st.ino.toString(), dev: st.dev.toString(), sha256, at });

/** Whether a stat cache entry may stand for the file's content (see the header). */
export function trusted(prev: StatEntry | undefined, st: BigIntStats): prev is StatEntry {
  if (!prev || typeof prev.sha256 !== 'string' || typeof prev.at !== 'number') return false;
  const now = statEntry(st, prev.sha256, prev.at);
  if (prev.size !== now.size || prev.mtime !== now.mtime || prev.ctime !== now.ctime || prev.ino !== now.ino || prev.dev !== now.dev) return false;
  const changed = Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1_000_000n);
  return prev.at - changed >= RACY_MS;
}

export interface InputBytes { bytes: Buffer; sha256: string; st: BigIntStats }

/** A whole declared input, read into shared memory, and the sha256 of exactly those bytes. */
export function readInputSync(abs: string, shown = abs): InputBytes {
  const { fd, st } = openInput(abs, shown);
  try {
    const size = Number(st.size);
    const out = new Uint8Array(new SharedArrayBuffer(size));
    let off = 0;
    while (off < size) {
      const got = readSync(fd, out, off, size - off, off);
      if (got <= 0) break; // the file shrank: its content ends here
      off += got;
    }
    const bytes = Buffer.from(out.buffer, 0, off);
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), st };
  } finally { closeSync(fd); }
}

const PIECE = 4 << 20;

/**
 * readInputSync with the reads on libuv's thread pool (two pieces in flight) while this
 * thread hashes the pieces already read (a 68 MB CSV: ~80 ms instead of ~125 ms).
 */
export async function readInput(abs: string, shown = abs): Promise<InputBytes> {
  const fd = await new Promise<number>((res, rej) => open(abs, OPEN_FLAGS, (e, f) => (e ? rej(e) : res(f))));
  let st: BigIntStats;
  try { st = await new Promise<BigIntStats>((res, rej) => fstat(fd, { bigint: true }, (e, s) => (e ? rej(e) : res(s)))); } catch (e) { closeSync(fd); throw e; }
  checkOpen(fd, st, abs, shown);
  try {
    const size = Number(st.size);
    const out = new Uint8Array(new SharedArrayBuffer(size));
    const h = createHash('sha256');
    const readAt = (off: number) => new Promise<number>((res, rej) =>
      read(fd, out, off, Math.min(PIECE, size - off), off, (e, n) => (e ? rej(e) : res(n))));
    // pieces are fixed ranges; a short read (the file shrank) ends the content there
    const pending: Promise<number>[] = [];
    let next = 0;
    const issue = () => { if (next < size) { pending.push(readAt(next)); next += PIECE; } };
    issue(); issue();
    let off = 0;
    while (pending.length) {
      const got = await pending.shift()!;
      if (got <= 0) break;
      h.update(out.subarray(off, off + got));
      off += got;
      if (got < Math.min(PIECE, size - (off - got))) break;
      issue();
    }
    await Promise.allSettled(pending);
    return { bytes: Buffer.from(out.buffer, 0, off), sha256: h.digest('hex'), st };
  } finally {
    close(fd, () => {});
  }
}

/**
 * ctx.readFile: the bytes of a declared file (or of a file in a declared directory) that the
 * engine read for the node's key. Anything else is refused: its content would not be in the key.
 */
export function keptInput(kept: Map<string, Buffer>, abs: string, p: string, n: { id: string; type: string; file: string }): Buffer {
  const bytes = kept.get(abs);
  if (bytes) return bytes;
  throw new FlowError('run', `${n.type} reads ${p}, which is not among the files it declares (files(params)): its content would not be in the cache key; declare it`, { node: n.id, file: n.file });
}
