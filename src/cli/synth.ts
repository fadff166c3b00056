// `flow synth`: write the synthetic yearbook panel (data/yrd26 layout) to a directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { generateYrd26 } from '../synth/yrd26.js';

export interface SynthCliOptions { seed: number; out: string; mess?: boolean }

/** Generate and write the files; returns the paths written. */
export function synthCommand(o: SynthCliOptions): string[] {
  const { files } = generateYrd26({ seed: o.seed, mess: !!o.mess });
  const dir = resolve(o.out);
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
}

export function registerSynth(program: Command): void {
  program.command('synth').description('write the seeded synthetic yearbook panel of the 26 YRD cities (with TRUTH.json)')
    .option('--seed <n>', 'PRNG seed', (v) => parseInt(v, 10), 1)
    .option('--out <dir>', 'output directory', 'data/yrd26')
    .option('--mess', 'a few missing cells and the 2011 Hefei boundary break')
    .action((o: SynthCliOptions) => {
      for (const p of synthCommand(o)) process.stdout.write(`wrote ${p}\n`);
    });
}
