// The bytes of a file a node declared in `files(params)`: the engine's copy (ctx.readFile,
// the very bytes its key was hashed from) when it has one, else read now. A missing or
// unreadable file is a data error naming the param value.
import { readFileSync } from 'node:fs';
import type { RunContext } from '../graph/node.js';
import { dataError } from '../errors.js';

export function readInput(ctx: Pick<RunContext<unknown>, 'readFile' | 'resolvePath'>, path: string, param = 'path'): Uint8Array {
  try {
    return ctx.readFile ? ctx.readFile(path) : readFileSync(ctx.resolvePath(path));
  } catch (e) {
    throw dataError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check "${param}" (it is relative to the workflow file)`, { file: path });
  }
}

/** The longest string V8 makes (0x1fffffe8 UTF-16 units); a UTF-8 file this size decodes to at most that. */
export const TEXT_MAX_BYTES = 0x1fffffe8;

/** A declared text file as a string (UTF-8); a file too large for one string is a data error naming it and the limit. */
export function readInputText(ctx: Pick<RunContext<unknown>, 'readFile' | 'resolvePath'>, path: string, param = 'path'): string {
  const bytes = readInput(ctx, path, param);
  if (bytes.byteLength > TEXT_MAX_BYTES) {
    throw dataError(`${path} is ${(bytes.byteLength / 2 ** 20).toFixed(0)} MB; this node reads text files of up to ${(TEXT_MAX_BYTES / 2 ** 20).toFixed(0)} MB (one string); split the file or use a binary format`, { file: path });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
