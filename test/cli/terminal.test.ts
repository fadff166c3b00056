// `flow run` in a real terminal: an 80x24 tmux pane, cold cache. The live status line must be
// cut to the width (a wrapped one leaves a junk row behind each redraw), so every row left in
// the pane's history is a known kind: a ran/hit/FAILED/skipped line, the status line, the
// summary, the export line or the report line. Skipped (with a message) when tmux is absent.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOW, REPO } from '../graph/helpers.js';
import { ensureBuilt } from './build.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('terminal.test.ts: tmux is not installed; the 80-column terminal tests are skipped (apt-get install tmux)');

const SOCKET = `flow-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
let dir = '';

beforeAll(async () => {
  if (!hasTmux) return;
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'flow-term-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  cpSync(join(REPO, 'data/yrd26'), join(dir, 'data/yrd26'), { recursive: true });
  for (const f of readdirSync(join(REPO, 'workflows')).filter((f) => f.endsWith('.json'))) cpSync(join(REPO, 'workflows', f), join(dir, 'workflows', f));
}, 180_000);

afterAll(() => {
  if (!hasTmux) return;
  tmux('kill-server');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `flow run <wf>` in a fresh 80x24 pane and returns every row of its history. */
async function inPane(name: string, args: string[]): Promise<string[]> {
  const cmd = [process.execPath, FLOW, ...args].map((a) => `'${a}'`).join(' ');
  const r = tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-c', dir, `${cmd}; echo "__DONE__ $?"; sleep 600`);
  expect(r.status, r.stderr).toBe(0);
  tmux('set-option', '-t', name, 'history-limit', '5000');
  const deadline = Date.now() + 150_000;
  for (;;) {
    const cap = tmux('capture-pane', '-p', '-t', name, '-S', '-', '-E', '-').stdout;
    if (/__DONE__ \d+/.test(cap)) {
      tmux('kill-session', '-t', name);
      return cap.split('\n').map((l) => l.trimEnd());
    }
    if (Date.now() > deadline) throw new Error(`flow did not finish in the pane:\n${cap}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

const KNOWN: RegExp[] = [
  /^ {2}(ran|hit|skipped) +\S/, // a finished node
  /^ {2}FAILED {2}\S/,
  /^\(\d+\/\d+\) running /, // the status line (cleared at the end; a copy may survive only when not cleared)
  /^ran \d+, hit \d+(, failed \d+)?(, skipped \d+)? in .+; the cache saved .+$/, // the summary
  /^wrote \d+ files? to \S+|^\S+: \d+ files? up to date/, // the export
  /^report: \S+\.html$/,
  /^__DONE__ \d+$/,
];

describe.skipIf(!hasTmux)('flow run in an 80x24 terminal (tmux)', () => {
  for (const wf of ['paper.json', 'multiverse.json']) {
    it(`${wf}, cold cache: no junk rows, no row wider than 80, a summary and the export line`, async () => {
      const rows = await inPane(wf.replace('.json', ''), ['run', `workflows/${wf}`, '--cache', `caches/${wf}`]);
      const shown = rows.filter((l) => l.length);
      const junk = shown.filter((l) => !KNOWN.some((k) => k.test(l)));
      expect(junk, `rows of an unknown kind:\n${junk.join('\n')}`).toEqual([]);
      for (const l of shown) expect([...l].length).toBeLessThanOrEqual(80);
      expect(shown.filter((l) => /^\(\d+\/\d+\) running /.test(l))).toEqual([]); // cleared: no copies pile up
      expect(shown.some((l) => /^ran \d+, hit 0 in /.test(l))).toBe(true);
      expect(shown.some((l) => /^wrote \d+ files to \.\.\/out\/|^wrote \d+ files to out\//.test(l))).toBe(true);
      expect(shown.at(-1)).toBe('__DONE__ 0');
      if (wf === 'paper.json') expect(shown).toContain('report: out/paper/report/paper.html');
    }, 200_000);
  }

  it('a warm run prints the summary, not one hit line per node', async () => {
    const rows = (await inPane('warm', ['run', 'workflows/paper.json', '--cache', 'caches/paper.json'])).filter((l) => l.length);
    expect(rows.filter((l) => l.startsWith('  hit'))).toEqual([]);
    expect(rows[0]).toMatch(/^ran 0, hit 53 in .+; the cache saved .+ \(--verbose: every node\)$/);
    const verbose = (await inPane('verbose', ['run', 'workflows/paper.json', '--cache', 'caches/paper.json', '--verbose'])).filter((l) => l.startsWith('  hit'));
    expect(verbose).toHaveLength(53);
  }, 200_000);
});
