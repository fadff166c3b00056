// Broken files in the cache (src/graph/shapes.ts): a record with "outputs": null, a directory
// where an object should be, a cached plan holding {}, broken run state and stat files are
// misses at run time, `cache verify` names each, `verify --fix` removes them; and gc drops the
// results of nodes removed from a workflow.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { project, flow, jsonLines, write } from '../graph/helpers.js';
import { Store } from '../../src/graph/store.js';
import { ensureBuilt } from '../cli/build.js';

beforeAll(() => ensureBuilt(), 180_000);

const wf = { plugins: ['./nodes.js'], nodes: { a: { uses: 't-const', with: { value: 2, log: 'log.txt' } }, b: { uses: 't-add', with: { offset: 1, log: 'log.txt' }, in: { xs: ['a.out'] } } } };
const ok = (r: { code: number | null; stderr: string }) => { expect(r.code, r.stderr).toBe(0); return r; };
const files = (d: string) => readdirSync(d).map((f) => join(d, f));

describe('broken cache files', () => {
  it('are misses at run time, named by verify, removed by verify --fix', () => {
    const dir = project({ 'wf.json': wf });
    const first = jsonLines(ok(flow(['run', 'wf.json', '--json', '--out', 'out'], dir)).stdout);
    const keys = Object.fromEntries(first.filter((e) => e.key).map((e) => [e.node, e.key]));
    const store = new Store(join(dir, 'cache'));
    // b's record: "outputs": null; a's object: replaced by a directory
    const recB = JSON.parse(readFileSync(store.recordPath(keys.b), 'utf8'));
    writeFileSync(store.recordPath(keys.b), JSON.stringify({ ...recB, outputs: null }));
    const recA = JSON.parse(readFileSync(store.recordPath(keys.a), 'utf8'));
    const objA = store.objectPath(recA.outputs.out.hash);
    rmSync(objA); mkdirSync(objA); writeFileSync(join(objA, 'x'), 'x');
    const [plan] = files(join(dir, 'cache/plans'));
    writeFileSync(plan, '{}');
    const [state] = files(join(dir, 'cache/state'));
    writeFileSync(state, '{"workflow": 3}');
    writeFileSync(join(dir, 'cache/stat.json'), '[1, 2]');

    const v = flow(['cache', 'verify'], dir);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`record ${keys.b.slice(0, 12)}: broken ("outputs" is not an object)`);
    expect(v.stdout).toContain(`object ${recA.outputs.out.hash.slice(0, 12)}: a directory, not a file`);
    expect(v.stdout).toMatch(/cached plan plans\/[0-9a-f]+\.json: broken \(no list of sources\)/);
    expect(v.stdout).toMatch(/run state state\/[0-9a-f]+\.json: broken \(no workflow or time\)/);
    expect(v.stdout).toContain('stat cache stat.json: broken (not a JSON object)');
    expect(v.stdout).toContain(`record ${keys.a.slice(0, 12)} (a): output out -> missing object`);
    expect(v.stdout).toContain('6 problems');

    // a run treats them as misses: both nodes run again, correct value
    const r = jsonLines(ok(flow(['run', 'wf.json', '--json', '--out', 'out'], dir)).stdout).at(-1).summary;
    expect(r.ran.sort()).toEqual(['a', 'b']);
    expect(JSON.parse(readFileSync(join(dir, 'out/b.out.json'), 'utf8'))).toBe(3);

    // broken again, then --fix removes them all and the cache verifies
    writeFileSync(store.recordPath(keys.b), JSON.stringify({ ...recB, outputs: null }));
    writeFileSync(plan, '{}');
    writeFileSync(join(dir, 'cache/stat.json'), '"x"');
    const f = ok(flow(['cache', 'verify', '--fix'], dir));
    expect(f.stdout).toContain('removed 3 broken entries');
    const again = ok(flow(['cache', 'verify'], dir));
    expect(again.stdout).toContain('cache ok');
    expect(jsonLines(ok(flow(['run', 'wf.json', '--json', '--no-out'], dir)).stdout).at(-1).summary.ran).toEqual(['b']);
  });
});

describe('gc and removed nodes', () => {
  it('drops the results of a node removed from the workflow, keeps the others', () => {
    const dir = project({ 'wf.json': wf });
    const first = jsonLines(ok(flow(['run', 'wf.json', '--json', '--no-out'], dir)).stdout);
    const keyB = first.find((e) => e.node === 'b' && e.key).key;
    const keyA = first.find((e) => e.node === 'a' && e.key).key;
    write(dir, { 'wf.json': { ...wf, nodes: { a: wf.nodes.a } } });
    ok(flow(['run', 'wf.json', '--no-out'], dir));
    const state = JSON.parse(readFileSync(files(join(dir, 'cache/state'))[0], 'utf8'));
    expect(Object.keys(state.nodes)).toEqual(['a']); // the run state no longer carries b
    ok(flow(['cache', 'gc'], dir));
    const store = new Store(join(dir, 'cache'));
    expect(store.getRecord(keyB)).toBeUndefined();
    expect(store.getRecord(keyA)).toBeDefined();
    // a --only run of the same workflow does not forget the nodes it did not cover
    write(dir, { 'wf.json': wf });
    ok(flow(['run', 'wf.json', '--no-out'], dir));
    ok(flow(['run', 'wf.json', '--no-out', '--only', 'a'], dir));
    ok(flow(['cache', 'gc'], dir));
    const s2 = JSON.parse(readFileSync(files(join(dir, 'cache/state'))[0], 'utf8'));
    expect(Object.keys(s2.nodes).sort()).toEqual(['a', 'b']);
    expect(store.getRecord(s2.nodes.b.key)).toBeDefined();
  });
});
