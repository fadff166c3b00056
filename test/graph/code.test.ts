// Code in every key: each node type's code hash covers its module and everything it runs
// (graph/code.ts, from esbuild's metafile). Edits go to a copy of src/ (bundled in memory, as
// `npm run build` does, in well under a second); the runs use the real node modules with the
// copy's code hashes, so that exactly the nodes whose code changed re-run and early cut-off
// stops the rest. test/cli/build.test.ts does the same through the real build and the CLI.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { REPO } from './helpers.js';
import { bundleMetafile, codeHashes, nodeModules } from '../../src/graph/code.js';
import { getNode, allNodes } from '../../src/nodes/index.js';
import { loadWorkflow, type NodeCatalog } from '../../src/graph/load.js';
import { buildPlan } from '../../src/graph/plan.js';
import { run } from '../../src/graph/scheduler.js';
import { assess } from '../../src/graph/fingerprint.js';
import { Store } from '../../src/graph/store.js';
import type { Summary } from '../../src/graph/events.js';

let copy = '', project = '';
let types: Record<string, string> = {};
let base: Record<string, string> = {};

/** The file under src/econ that exports function `name` (found by name: files may be split or moved). */
function kernelFile(root: string, name: string): string {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));
  const hits = walk(join(root, 'src/econ')).filter((f) => readFileSync(f, 'utf8').includes(`export function ${name}(`));
  if (hits.length !== 1) throw new Error(`export function ${name}( found in ${hits.length} files`);
  return hits[0];
}

/** Inserts `stmt` as the first statement of function `name`; returns the undo. */
function editKernel(root: string, name: string, stmt: string): () => void {
  const f = kernelFile(root, name);
  const text = readFileSync(f, 'utf8');
  const lines = text.split('\n');
  let i = lines.findIndex((l) => l.includes(`export function ${name}(`));
  while (!lines[i].trimEnd().endsWith('{')) i++;
  lines.splice(i + 1, 0, `  ${stmt}`);
  writeFileSync(f, lines.join('\n'));
  return () => writeFileSync(f, text);
}

const hashesNow = async () => codeHashes(copy, await bundleMetafile(copy), types);
const changed = (h: Record<string, string>) => Object.keys(h).filter((t) => h[t] !== base[t]).sort();

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'flow-code-'));
  cpSync(join(REPO, 'src'), join(copy, 'src'), { recursive: true });
  cpSync(join(REPO, 'bin'), join(copy, 'bin'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
  types = await nodeModules(REPO);
  base = await hashesNow();
  // a project to run paper.json in (workflows and data copied: nothing of the repo is touched)
  project = mkdtempSync(join(tmpdir(), 'flow-code-run-'));
  writeFileSync(join(project, 'package.json'), '{"type":"module","private":true}\n');
  cpSync(join(REPO, 'data/yrd26'), join(project, 'data/yrd26'), { recursive: true });
  cpSync(join(REPO, 'workflows/paper.json'), join(project, 'workflows/paper.json'));
}, 120_000);
afterAll(() => { for (const d of [copy, project]) if (d) rmSync(d, { recursive: true, force: true }); });

describe('code hashes', () => {
  it('give every node type a hash, equal to the one `npm run build` writes for the same sources', async () => {
    expect(Object.keys(base).sort()).toEqual(allNodes().map((d) => d.type).sort());
    expect(new Set(Object.values(base)).size).toBeGreaterThan(20); // node types share a hash only when they run the same code
    const again = await codeHashes(REPO, await bundleMetafile(REPO), types);
    expect(again).toEqual(base); // the copy's sources are the repo's
  });

  it('do not change for an edit of comments or layout only', async () => {
    const f = kernelFile(copy, 'computeVcov');
    const text = readFileSync(f, 'utf8');
    try {
      writeFileSync(f, `// a new header comment\n${text.replace(/\n/g, '\n\n').replace(/export function computeVcov\(/, '/** reworded doc */\nexport function computeVcov(')}`);
      expect(changed(await hashesNow())).toEqual([]);
    } finally { writeFileSync(f, text); }
  });

  // one kernel per estimator family and a measurement kernel: exactly the node types that run it
  const families: [string, string, string[]][] = [
    ['the FE variance (fe family)', 'computeVcov', ['fe', 'iv', 'mediation', 'subgroup']],
    ['the IV weak-identification statistics', 'weakIdStats', ['iv']],
    ['the spatial effects (sar, sdm, sac)', 'spatialEffects', ['sac', 'sar', 'sdm']],
    ['the SEM likelihood (sem; sac builds on its GLS step; the LR test of the SDM against SEM)', 'fitSem', ['sac', 'sem', 'spatial-lr-wald']],
    ['the Sobel test (mediation)', 'sobel', ['mediation']],
    ['the subgroup equality test', 'waldEqual', ['subgroup']],
    ['the perpetual inventory (a measurement kernel; the synthetic generator runs it too)', 'pimStock', ['pim', 'synth-yrd26']],
  ];
  for (const [what, fn, expected] of families) {
    it(`change for exactly the node types that run ${what} when it changes`, async () => {
      const undo = editKernel(copy, fn, 'if ((globalThis as any).__flowEdited) throw new Error("edited");');
      try { expect(changed(await hashesNow())).toEqual(expected); } finally { undo(); }
    });
  }
});

describe('a code change in a run', () => {
  let hashes: Record<string, string> = {};
  const catalog: NodeCatalog = {
    get: getNode, all: allNodes,
    codeHashes: async (ts) => Object.fromEntries(ts.map((t) => [t, hashes[t]])),
  };
  const planOf = async () => buildPlan(await loadWorkflow(join(project, 'workflows/paper.json'), catalog));
  const runPaper = async (): Promise<Summary> => {
    const ev = await lastValueFrom(run(await planOf(), { store: new Store(join(project, 'cache')) }).pipe(toArray()));
    return (ev.at(-1) as { summary: Summary }).summary;
  };
  const nodesOfType = async (ts: string[]) => [...(await planOf()).nodes.values()].filter((n) => ts.includes(n.type)).map((n) => n.id).sort();

  it('re-runs exactly the nodes whose code changed; early cut-off stops the rest; status names the cause', async () => {
    hashes = base;
    const cold = await runPaper();
    expect(cold.failed).toEqual([]);
    expect((await runPaper()).ran).toEqual([]);

    // the FE variance code changed: every fe, iv, mediation and subgroup node (the node code
    // here is the real one, so their outputs come out the same and nothing below them runs but
    // the report, whose key includes its ancestors' keys: it prints them as provenance)
    const undo = editKernel(copy, 'computeVcov', 'if ((globalThis as any).__flowEdited) throw new Error("edited");');
    try { hashes = await hashesNow(); } finally { undo(); }
    const fe = await nodesOfType(['fe', 'iv', 'mediation', 'subgroup']);
    expect(fe.length).toBeGreaterThanOrEqual(10);
    const st = assess(await planOf(), new Store(join(project, 'cache')));
    const stale = [...st.values()].filter((a) => !a.fresh).map((a) => a.id).sort();
    expect(stale.filter((id) => fe.includes(id))).toEqual(fe);
    const feRis = st.get('fe_ris')!;
    expect(!feRis.fresh && feRis.why.map((r) => r.text)).toEqual(['code of node type fe changed']);
    expect(!feRis.fresh && feRis.roots).toEqual(['code of node type fe changed node fe_ris; est unchanged']);
    const after = await runPaper();
    expect([...after.ran].sort()).toEqual([...fe, 'report'].sort());
    expect(after.failed).toEqual([]);

    // a measurement kernel: only the pim node
    const undo2 = editKernel(copy, 'pimStock', 'if ((globalThis as any).__flowEdited) throw new Error("edited");');
    try { hashes = await hashesNow(); } finally { undo2(); }
    expect([...(await runPaper()).ran].sort()).toEqual([...(await nodesOfType(['pim'])), 'report'].sort());
    expect((await runPaper()).ran).toEqual([]);
  }, 240_000);
});
