// Run without npm or the flow CLI: `node dist/synth/write.js --seed 1 --out data/yrd26 [--mess]`
// (or `npx tsx src/synth/write.ts ...`). Same output as `flow synth`.
import { fileURLToPath } from 'node:url';
import { synthCommand } from '../cli/synth.js';

export function main(argv: string[]): void {
  const get = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const seed = parseInt(get('--seed') ?? '1', 10);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  for (const p of synthCommand({ seed, out: get('--out') ?? 'data/yrd26', mess: argv.includes('--mess') })) process.stdout.write(`wrote ${p}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
