import { describe, it, expect } from 'vitest';
import { project, runIn, outputOf, plan, readLog } from './helpers.js';

const base = {
  plugins: ['./nodes.js'],
  params: { delta: 0.5, step: 1, value: 10 },
  nodes: {
    b: { uses: 't-const', with: { value: '$value', log: 'log.txt' } },
    s: { uses: 't-scale', with: { delta: '$delta', log: 'log.txt' }, in: { x: 'b.out' } },
    r: { uses: 't-round', with: { step: '$step', log: 'log.txt' }, in: { x: 's.out' } },
    m: { uses: 't-model', with: { log: 'log.txt' }, in: { x: 'r.out' } },
  },
};

describe('extends', () => {
  it('overrides params, replaces and adds nodes, and reuses the cached nodes it shares with the base', async () => {
    const dir = project({
      'wf.json': base,
      'robust/step2.json': {
        extends: '../wf.json',
        params: { step: 2 },
        nodes: {
          extra: { uses: 't-add', with: { offset: 100, log: 'log.txt' }, in: { xs: ['m.model', 'r.out'].slice(1) } },
        },
      },
    });
    await runIn(dir);
    const r = await runIn(dir, 'robust/step2.json');
    expect(r.hit).toEqual(['b', 's']);
    expect(r.ran).toEqual(['extra', 'm', 'r']);
    expect(outputOf(dir, r, 'r')).toBe(6); // 5 rounded to a multiple of 2 (Math.round(2.5) = 3)
    expect(outputOf(dir, r, 'extra')).toBe(106);
  });

  it('resolves paths in an inherited node relative to the file that declared it', async () => {
    const dir = project({
      'wf.json': { plugins: ['./nodes.js'], nodes: { t: { uses: 't-read', with: { path: 'data/a.txt' } } } },
      'data/a.txt': 'from base',
      'branches/b.json': { extends: '../wf.json', nodes: { u: { uses: 't-read', with: { path: '../data/a.txt' } } } },
    });
    const r = await runIn(dir, 'branches/b.json');
    expect(outputOf(dir, r, 't')).toBe('from base');
    expect(outputOf(dir, r, 'u')).toBe('from base');
  });

  it('removes an inherited node with null', async () => {
    const dir = project({ 'wf.json': base, 'less.json': { extends: 'wf.json', nodes: { m: null } } });
    const p = await plan(dir, 'less.json');
    expect(p.order).toEqual(['b', 's', 'r']);
  });
});

describe('matrix', () => {
  const multiverse = {
    extends: 'wf.json',
    matrix: { delta: [0.5, 0.6], step: [1, 2] },
    nodes: { curve: { uses: 't-gather', with: { log: 'log.txt' }, in: { models: 'm.model[*]' } } },
  };

  it('copies only the nodes that depend on varied params, and names the copies by their values', async () => {
    const dir = project({ 'wf.json': base, 'mv.json': multiverse });
    const p = await plan(dir, 'mv.json');
    expect(p.order).toEqual([
      'b',
      's[delta=0.5]', 's[delta=0.6]',
      'r[delta=0.5,step=1]', 'r[delta=0.5,step=2]', 'r[delta=0.6,step=1]', 'r[delta=0.6,step=2]',
      'm[delta=0.5,step=1]', 'm[delta=0.5,step=2]', 'm[delta=0.6,step=1]', 'm[delta=0.6,step=2]',
      'curve',
    ]);
    expect(p.nodes.get('r[delta=0.6,step=2]')!.inputs.x[0].node).toBe('s[delta=0.6]');
  });

  it('reuses the base run, runs every branch once, and gathers each branch output with its params', async () => {
    const dir = project({ 'wf.json': base, 'mv.json': multiverse });
    await runIn(dir);
    const before = readLog(dir).length;
    const r = await runIn(dir, 'mv.json');
    // delta=0.5, step=1 is the base: all of its nodes hit. Three branches round to r = 6,
    // so their m copies share one key: it runs once, the other two are hits.
    expect(r.hit).toEqual(['b', 'm[delta=0.5,step=1]', 'm[delta=0.6,step=1]', 'm[delta=0.6,step=2]', 'r[delta=0.5,step=1]', 's[delta=0.5]']);
    expect(r.ran).toEqual(['curve', 'm[delta=0.5,step=2]', 'r[delta=0.5,step=2]', 'r[delta=0.6,step=1]', 'r[delta=0.6,step=2]', 's[delta=0.6]']);
    expect(readLog(dir).length - before).toBe(6);
    expect(outputOf(dir, r, 'curve')).toEqual([
      { estimate: 5, branch: { delta: 0.5, step: 1 }, node: 'm[delta=0.5,step=1]' },
      { estimate: 6, branch: { delta: 0.5, step: 2 }, node: 'm[delta=0.5,step=2]' },
      { estimate: 6, branch: { delta: 0.6, step: 1 }, node: 'm[delta=0.6,step=1]' },
      { estimate: 6, branch: { delta: 0.6, step: 2 }, node: 'm[delta=0.6,step=2]' },
    ]);
    const again = await runIn(dir, 'mv.json');
    expect(again.ran).toEqual([]);
  });

  it('fixes a matrix param with --set', async () => {
    const dir = project({ 'wf.json': base, 'mv.json': multiverse });
    const p = await plan(dir, 'mv.json', { delta: 0.6 });
    expect([...p.nodes.keys()].filter((k) => k.startsWith('s'))).toEqual(['s']);
    expect([...p.nodes.keys()].filter((k) => k.startsWith('m'))).toEqual(['m[step=1]', 'm[step=2]']);
  });
});
