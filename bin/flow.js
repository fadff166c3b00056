#!/usr/bin/env node
// `flow`: runs the compiled CLI in dist/, only if dist/ was built from the sources here
// (bin/dist-stale.js): never stale code silently, and a missing build is one line, not a stack.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distProblem } from './dist-stale.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const problem = distProblem(root);
if (problem) {
  process.stderr.write(`flow: ${problem}\n`);
  process.exit(1);
}
await import('../dist/cli/main.js');
