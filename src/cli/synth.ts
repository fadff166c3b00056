// `flow synth`: write the synthetic yearbook panel (data/yrd26 layout) to a directory.
import type { Command } from 'commander';
import { writeSynthFiles, type SynthWriteOptions } from '../synth/write.js';

export type SynthCliOptions = SynthWriteOptions;

/** Generate and write the files; returns the paths written. */
export const synthCommand = (o: SynthCliOptions): string[] => writeSynthFiles(o);

export function registerSynth(program: Command): void {
  program.command('synth').description('write the seeded synthetic yearbook panel of the 26 YRD cities (with TRUTH.json)')
    .option('--seed <n>', 'PRNG seed', (v) => parseInt(v, 10), 1)
    .option('--out <dir>', 'output directory', 'data/yrd26')
    .option('--mess', 'a few missing cells and the 2011 Hefei boundary break')
    .action((o: SynthCliOptions) => {
      for (const p of synthCommand(o)) process.stdout.write(`wrote ${p}\n`);
    });
}
