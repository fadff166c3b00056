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
