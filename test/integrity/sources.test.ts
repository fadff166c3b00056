// A node whose output depends on where its inputs came from (append's "source" column, a
// specification curve's labels, the Monte Carlo's matching of models to targets) declares
// `sources: true`, and the upstream node ids are then in its key. Before, two workflows with
// the same data under other node ids shared the key, and the second got the first's labels.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { project, flow } from '../graph/helpers.js';
import { ensureBuilt } from '../cli/build.js';

beforeAll(() => ensureBuilt(), 180_000);

const wf = (a: string, b: string, out: string) => ({
  out,
  nodes: {
    [a]: { uses: 'load-csv', with: { path: 'data/one.csv' } },
    [b]: { uses: 'load-csv', with: { path: 'data/two.csv' } },
    stacked: { uses: 'append', in: { tables: [`${a}.table`, `${b}.table`] }, with: { source: 'from' } },
  },
});

describe('sources in the key', () => {
  it('append labels rows with its own workflow\'s node ids, never with another workflow\'s', () => {
    const dir = project({
      'data/one.csv': 'v\n1\n2\n', 'data/two.csv': 'v\n3\n',
      'first.json': wf('north', 'south', 'out1'), 'second.json': wf('east', 'west', 'out2'),
    });
    expect(flow(['run', 'first.json'], dir).code).toBe(0);
    const second = flow(['run', 'second.json', '--json'], dir);
    expect(second.code, second.stderr).toBe(0);
    const events = second.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const hits = events.filter((e) => e.status === 'hit').map((e) => e.node).sort();
    expect(hits).toEqual(['east', 'west']); // the loads are shared; append is not
    const csv = (d: string) => readFileSync(join(dir, d, 'stacked.table.csv'), 'utf8').trim().split('\n');
    expect(csv('out1')).toEqual(['v,from', '1,north', '2,north', '3,south']);
    expect(csv('out2')).toEqual(['v,from', '1,east', '2,east', '3,west']);
  });
});
