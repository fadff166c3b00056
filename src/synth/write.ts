// Writing the synthetic yearbook files to a directory: what `flow synth` (src/cli/synth.ts)
// does, and a runner without npm or the CLI:
//   node dist/synth/write.js --seed 1 --out data/yrd26 [--mess]   (or npx tsx src/synth/write.ts ...)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateYrd26 } from './yrd26.js';

export interface SynthWriteOptions { seed: number; out: string; mess?: boolean }

/** Generate and write the files; returns the paths written. */
export function writeSynthFiles(o: SynthWriteOptions): string[] {
  const { files } = generateYrd26({ seed: o.seed, mess: !!o.mess });
  const dir = resolve(o.out);
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
}

export function main(argv: string[]): void {
  const get = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const seed = parseInt(get('--seed') ?? '1', 10);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  for (const p of writeSynthFiles({ seed, out: get('--out') ?? 'data/yrd26', mess: argv.includes('--mess') })) process.stdout.write(`wrote ${p}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
