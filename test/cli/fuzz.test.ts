// Fuzzing the workflow loader: seeded mutations of paper.json and the robustness branches
// (wrong types, deleted and added keys, names of Object.prototype members, deep nesting,
// huge strings, numbers that are not finite, bad references, --set values) validated by the
// real loader and planner with the real node catalogue. Every case must end in a plan or in
// FlowErrors whose lines name a file and read as messages: never an "internal error", a raw
// JS TypeError/RangeError text or a stack overflow; memory stays bounded (heap under 1 GB
// after every case: the unbounded cases of the issue took 950 MB to 10 GB). A hang has no
// assertion of its own (no timing assertions): the test's timeout bounds the whole run.
// A subset goes through the compiled CLI (exit code 2 and the message on stderr).
import { describe, it, expect, beforeAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, flow } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';
import { catalog, parseSets } from '../../src/cli/common.js';
import { loadWorkflow, formatError, WorkflowInvalid, type NodeCatalog } from '../../src/graph/load.js';
import { buildPlan } from '../../src/graph/plan.js';
import { FlowError } from '../../src/errors.js';
import { makeRng, type Rng } from '../../src/econ/rng.js';

const CASES = 300;
const HEAP_BOUND = 1e9;
/** text that must never reach a user */
const RAW = /internal error|TypeError|RangeError|SyntaxError: (?!.*JSON)|Cannot read propert|is not a function|is not iterable|Maximum call stack|Cannot convert|\[object Object\]|Cannot destructure/;

const BASES = ['paper.json', 'robust-delta.json', 'robust-no-shanghai.json', 'robust-w-knn.json', 'robust-winsor-5.json', 'multiverse.json'];
const PROTO = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];

let dir = '';
/** a few invalid cases, run again through the CLI */
const forCli: { text: string; sets: string[]; lines: string[] }[] = [];
let cat: NodeCatalog;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flow-fuzz-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  cpSync(join(REPO, 'data'), join(dir, 'data'), { recursive: true });
  cpSync(join(REPO, 'workflows'), join(dir, 'workflows'), { recursive: true });
  cat = await catalog();
}, 60_000);

type Json = unknown;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

/** Every [container, key] of a JSON value (the places a mutation can hit). */
function places(v: Json, out: [Record<string, Json> | Json[], string | number][] = []): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); places(x, out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([v as Record<string, Json>, k]); places(x, out); }
  return out;
}

/** A raw JSON text put in place of a marker string after stringifying (deep nesting, 1e999). */
const raws: string[] = [];
const raw = (text: string) => { raws.push(text); return `@@RAW${raws.length - 1}@@`; };

function badValue(rng: Rng): Json {
  switch (rng.int(14)) {
    case 0: return null;
    case 1: return rng.int(2) === 0;
    case 2: return pick(rng, [0, -0, -1, 1e300, 2 ** 53 + 1, 1e21, 0.5, -7.25]);
    case 3: return raw(pick(rng, ['1e999', '-1e999', '1E400']));
    case 4: return pick(rng, ['NaN', 'Infinity', '-Infinity', 'Inf', '']);
    case 5: return pick(rng, PROTO);
    case 6: return 'x'.repeat(pick(rng, [1000, 100_000, 1_000_000]));
    case 7: { const n = pick(rng, [70, 5000, 100_000]); return raw('['.repeat(n) + ']'.repeat(n)); }
    case 8: { const n = pick(rng, [70, 5000]); return raw('{"a":'.repeat(n) + '1' + '}'.repeat(n)); }
    case 9: return pick(rng, ['$delta', '$nope', '${delta}x', '$$', '$__proto__', '$constructor', '${toString}']);
    case 10: return pick(rng, ['raw.city', 'nope.table', 'raw.constructor', 'vars.__proto__', 'a.b.c', 'vars.table[*]', '']);
    case 11: return [];
    case 12: return Object.fromEntries([[pick(rng, PROTO), pick(rng, [1, 'x', {}])]]);
    default: return { uses: pick(rng, ['fe', 'toString', 'load-csv', 'x'.repeat(200)]), with: { [pick(rng, PROTO)]: 1 } };
  }
}

/** One random mutation of a workflow (in place). */
function mutate(rng: Rng, wf: Record<string, Json>): void {
  const ps = places(wf);
  const [c, k] = pick(rng, ps);
  const obj = c as Record<string, Json>;
  switch (rng.int(6)) {
    case 0: if (Array.isArray(c)) c.splice(k as number, 1); else delete obj[k as string]; break; // delete
    case 1: if (!Array.isArray(c)) obj[pick(rng, [...PROTO, 'extra', 'x'.repeat(100_000)])] = badValue(rng); break; // add a key
    case 2: { // rename a key to a prototype name (own property, as JSON.parse would make it)
      if (Array.isArray(c)) break;
      const v = obj[k as string];
      delete obj[k as string];
      Object.defineProperty(obj, pick(rng, PROTO), { value: v, enumerable: true, writable: true, configurable: true });
      break;
    }
    default: (c as Record<string | number, Json>)[k] = badValue(rng); // change a value (type, number, ref, nesting)
  }
}

const stringify = (wf: Json) => JSON.stringify(wf).replace(/"@@RAW(\d+)@@"/g, (_, i) => raws[Number(i)]);

/** Validates one file (and --set values): the error lines, or [] for a valid plan. */
async function validate(file: string, sets: string[]): Promise<string[]> {
  try {
    const parsed = parseSets(sets, file); // first, as the CLI does
    buildPlan(await loadWorkflow(file, cat), parsed);
    return [];
  } catch (e) {
    if (e instanceof WorkflowInvalid) return e.errors.map(formatError);
    if (e instanceof FlowError) return [formatError(e)];
    return [`internal error: ${(e as Error)?.stack ?? String(e)}`];
  }
}

const SETS = ['delta=1e999', 'delta=NaN', 'delta=-0', 'effectDraws=1e9', 'bootReps=99999999999999999999', 'firstYear=2030', 'constructor=1',
  '__proto__={"a":1}', `controls=${'['.repeat(5000)}${']'.repeat(5000)}`, 'seed=1.5', 'wK=-3', 'delta', '=3', `x${'y'.repeat(100_000)}=1`];

describe('fuzzed workflow files', () => {
  it(`${CASES} seeded mutations: a plan or FlowErrors naming file and field; never a raw JS message; heap bounded`, async () => {
    const rng = makeRng(20261204);
    const texts = new Map(BASES.map((b) => [b, readFileSync(join(dir, 'workflows', b), 'utf8')]));
    let invalid = 0, maxHeap = 0;
    const classes = new Map<string, number>();
    const bad: string[] = [];
    for (let i = 0; i < CASES; i++) {
      raws.length = 0;
      const base = pick(rng, BASES);
      const wf = JSON.parse(texts.get(base)!) as Record<string, Json>;
      const n = 1 + rng.int(3);
      for (let m = 0; m < n; m++) mutate(rng, wf);
      const sets = rng.int(4) === 0 ? [pick(rng, SETS)] : [];
      const file = join(dir, 'workflows', 'fuzz.json');
      writeFileSync(file, stringify(wf));
      const lines = await validate(file, sets);
      if (lines.length) { invalid++; if (forCli.length < 10 && i % 7 === 0) forCli.push({ text: readFileSync(file, 'utf8'), sets, lines }); }
      for (const l of lines) { const c = l.replace(/^.*?\.json: /, '').replace(/[0-9"].*$/, '').slice(0, 50); classes.set(c, (classes.get(c) ?? 0) + 1); }
      for (const l of lines) {
        if (RAW.test(l) || l.length > 2000 || !l.includes('.json')) bad.push(`case ${i} (${base}, ${n} mutations${sets.length ? `, --set ${sets[0].slice(0, 40)}` : ''}): ${l.slice(0, 600)}`);
      }
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
    }
    expect(bad).toEqual([]);
    expect(maxHeap).toBeLessThan(HEAP_BOUND);
    // the mutations do break files (a fuzzer whose cases all validate tests nothing)
    expect(invalid).toBeGreaterThan(CASES / 2);
    if (process.env.FUZZ_VERBOSE) console.log({ invalid, maxHeap, classes: [...classes].sort((a, b) => b[1] - a[1]).slice(0, 40) });
  }, 240_000);
});

describe('the previously failing cases through the CLI', () => {
  beforeAll(async () => { await ensureBuilt(); }, 240_000);
  const run = (args: string[]) => flow(['run', ...args, '--no-out', '--cache', join(dir, 'cache')], dir);
  const writeWf = (name: string, text: string) => { writeFileSync(join(dir, 'workflows', name), text); return `workflows/${name}`; };

  const invalid: [string, () => string[], string][] = [
    ['"uses": "__proto__"', () => [writeWf('u1.json', '{"nodes":{"a":{"uses":"__proto__"}}}')], 'workflows/u1.json: nodes.a.uses: unknown node type "__proto__"'],
    ['"uses": "constructor"', () => [writeWf('u2.json', '{"nodes":{"a":{"uses":"constructor"}}}')], 'workflows/u2.json: nodes.a.uses: unknown node type "constructor"'],
    ['"uses": "toString"', () => [writeWf('u3.json', '{"nodes":{"a":{"uses":"toString"}}}')], 'workflows/u3.json: nodes.a.uses: unknown node type "toString"'],
    ['vcov: {"toString": 1}', () => [writeWf('v.json', '{"extends":"paper.json","params":{"vcov":{"toString":1}}}')], 'nodes.fe_ris.with.vcov: expected one of "iid", "hc1", "hc0", "hc1-slopes" or an object with cluster, convention, got {"toString":1} (the value of $vcov, set in workflows/v.json)'],
    ['JSON nested 100,000 deep', () => [writeWf('d.json', `{"extends":"paper.json","params":{"controls":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`)], 'workflows/d.json: params.controls.0.0.0.0...: nested more than 64 levels deep'],
    ['a 1 MB unknown uses', () => [writeWf('big.json', JSON.stringify({ nodes: { a: { uses: 'x'.repeat(1_000_000) } } }))], 'workflows/big.json: nodes.a.uses: unknown node type "xxxxxxxxxx'],
    ['--set delta=1e999', () => ['workflows/paper.json', '--set', 'delta=1e999'], 'workflows/paper.json: --set delta: a number too large for a 64-bit float (it would be Infinity); write a finite number'],
    ['--set effectDraws=1e9', () => ['workflows/paper.json', '--set', 'effectDraws=1e9'], 'nodes.sdm_ris.with.effects.draws: expected an integer in [10, 100000], got 1000000000; at most 100,000 draws'],
    ['--set bootReps=1e12', () => ['workflows/paper.json', '--set', 'bootReps=1e12'], 'FLOW_MAX_BOOTSTRAP_REPS=1000000000000'],
    ['a matrix of 10^6 combinations', () => [writeWf('m.json', JSON.stringify({ extends: 'paper.json', matrix: {
      delta: [0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14], wK: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], wPower: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      firstYear: [2003, 2004, 2005, 2006, 2007, 2008, 2009, 2010, 2011, 2012], lastYear: [2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020], seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } }))],
    'workflows/m.json: matrix: delta (10) x wK (10) x wPower (10) x firstYear (10) x lastYear (10) x seed (10) = 1,000,000 combinations'],
    ['--set firstYear=2030', () => ['workflows/paper.json', '--set', 'firstYear=2030'], 'nodes.sample.with.years: years.from is after years.to, so no period would be kept: swap them, got {"from":2030,"to":2020}'],
  ];
  for (const [what, args, msg] of invalid) {
    it(`${what}: a validation error (exit 2), nothing run`, () => {
      const r = run(args());
      expect(r.stderr).toContain(msg);
      expect(r.stderr).not.toMatch(RAW);
      expect(r.stderr).toMatch(/problems? in the workflow; nothing was run|^error: /m);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }, 60_000);
  }

  it('a sample of the fuzzed invalid files: the CLI prints the loader\'s lines and exits 2', () => {
    expect(forCli.length).toBeGreaterThanOrEqual(8);
    forCli.forEach(({ text, sets, lines }, i) => {
      const wf = writeWf(`fuzz-cli-${i}.json`, text);
      const r = run([wf, ...sets.flatMap((x) => ['--set', x])]);
      expect(r.stderr).not.toMatch(RAW);
      expect(r.code).toBe(2);
      // the same problems (field and message; the file is named relative to another directory)
      // (one bad param value that several nodes take is one line: "...: <message> (the same at b, c)")
      for (const l of lines) {
        const rest = l.replace(/^.*?\.json: /, '');
        const m = /^nodes\.([^.:]+)(?:\.[^:]*)?: (.*\(the value of \$.*)$/.exec(rest);
        if (r.stderr.includes(rest.slice(0, 100)) || !m) { expect(r.stderr).toContain(rest.slice(0, 100)); continue; }
        const msg = m[2].replace(/, set in .*$/, '').slice(0, 100); // the file is named relative to another directory
        expect(r.stderr).toContain(msg);
        expect(r.stderr.split('\n').some((x) => x.includes(msg) && new RegExp(`\\(the same at (.*, )?${m[1].replace(/[^\w]/g, '\\$&')}(, |\\))`).test(x))).toBe(true);
      }
    });
  }, 120_000);

  it('an empty table (--set firstYear=2030 --set lastYear=2040): the filter that emptied it says so', () => {
    const r = run(['workflows/paper.json', '--only', 'sample', '--set', 'firstYear=2030', '--set', 'lastYear=2040']);
    expect(r.stdout).toContain('sample (filter) failed: no rows left: "years" {"from":2030,"to":2040} keeps none of the 468 rows (year 2003-2020); the nodes downstream need data: widen the selection');
    expect(r.stdout + r.stderr).not.toMatch(RAW);
    expect(r.code).toBe(1);
  }, 120_000);

  it('a city with 3 years: clean-panel warns, naming it and the step; the SDM error says which step removed it', () => {
    const d = mkdtempSync(join(tmpdir(), 'flow-chizhou-'));
    writeFileSync(join(d, 'package.json'), '{"type":"module","private":true}\n');
    cpSync(join(dir, 'data'), join(d, 'data'), { recursive: true });
    cpSync(join(dir, 'workflows'), join(d, 'workflows'), { recursive: true });
    const csv = join(d, 'data/yrd26/city_year.csv');
    // Chizhou keeps 2010-2012 only
    writeFileSync(csv, readFileSync(csv, 'utf8').split('\n').filter((l) => !(l.startsWith('Chizhou,') && !['2010', '2011', '2012'].includes(l.split(',')[2]))).join('\n'));
    const r = flow(['run', 'workflows/paper.json', '--only', 'sdm_ris', '--no-out', '--cache', join(d, 'cache')], d);
    expect(r.stderr).toContain('warning: panel: Chizhou dropped (continuity): its longest run of consecutive complete years is 3 (of 3 rows), fewer than continuity = 5; every model downstream runs without it');
    expect(r.stdout).toContain('sdm_ris (sdm) failed: W has unit(s) absent from the panel\'s "city": Chizhou. W\'s ids must be exactly the panel\'s units: build W from the panel\'s units only. Chizhou was removed by node panel (clean-panel, step continuity): its longest run of consecutive complete years is 3, fewer than continuity = 5');
    expect(r.code).toBe(1);
    // a warm run (every node a hit) still warns
    const again = flow(['run', 'workflows/paper.json', '--only', 'panel', '--no-out', '--cache', join(d, 'cache')], d);
    expect(again.stdout).not.toMatch(/ ran /);
    expect(again.stderr).toContain('warning: panel: Chizhou dropped (continuity)');
  }, 120_000);
});
