// Reading a whole file into shared memory: used by the engine (the bytes a key is made of
// are the bytes a node gets, ctx.readFile) and by the CSV parser's two-thread scan.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A whole file in one Buffer over a SharedArrayBuffer (so that it can be handed to worker
 * threads without a copy, e.g. the two-thread CSV parse).
 */
export function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out = new Uint8Array(new SharedArrayBuffer(size));
    let off = 0;
    while (off < size) {
      const got = readSync(fd, out, off, size - off, off);
      if (got <= 0) break;
      off += got;
    }
    // a Buffer view (no copy): Buffer.indexOf is memchr
    return Buffer.from(out.buffer, 0, off);
  } finally {
    closeSync(fd);
  }
}
