// The run renderer on a fake TTY of 40 and 80 columns: the status line is cut to the width
// (so `\r\x1b[K` clears all of it), its counter comes first, hits are counted and not listed
// (unless verbose), every reason of a run is shown, one cause failing many nodes is printed once.
import { describe, it, expect } from 'vitest';
import { Subject } from 'rxjs';
import { render, cut, statusLine } from '../../src/cli/render.js';
import { FlowError } from '../../src/errors.js';
import type { RunEvent } from '../../src/graph/events.js';

/** A stream that looks like a TTY of `columns` and records what was written. */
function fakeTty(columns: number, isTTY = true) {
  const chunks: string[] = [];
  const out = { isTTY, columns, write: (s: string) => { chunks.push(s); return true; } } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join('') };
}

/** What a terminal would show: `\r\x1b[K` erases the current row; colour codes are invisible. */
function screen(raw: string): string[] {
  const rows: string[] = [''];
  for (const part of raw.split(/(\r\x1b\[K|\n)/)) {
    if (part === '\r\x1b[K') rows[rows.length - 1] = '';
    else if (part === '\n') rows.push('');
    else rows[rows.length - 1] += part.replace(/\x1b\[[0-9;]*m/g, '');
  }
  return rows;
}

const summary = (ran: string[], hit: string[], failed: string[] = [], skipped: string[] = []): RunEvent =>
  ({ type: 'summary', summary: { ran, hit, failed, skipped, ms: 12, savedMs: 3400 } });

const ids = ['raw', 'a_node_with_a_rather_long_name', 'fe_ris[delta=0.096,wMethod=geo-economic]', 'est', 'table2'];

async function play(events: RunEvent[], o: { columns: number; verbose?: boolean; isTTY?: boolean }) {
  const t = fakeTty(o.columns, o.isTTY ?? true);
  const s = new Subject<RunEvent>();
  const done = render(s, { out: t.out, verbose: o.verbose });
  for (const e of events) s.next(e);
  s.complete();
  await done;
  return t.text();
}

describe('the status line', () => {
  it('is cut to the width - 1, counter first', () => {
    const running: [string, number][] = ids.map((id) => [id, 1000]);
    for (const w of [40, 80]) {
      const l = statusLine(22, 38, running, 2200, w);
      expect(l.startsWith('(22/38) running raw 1.2s, ')).toBe(true);
      expect([...l].length).toBe(w - 1);
      expect(l.endsWith('…')).toBe(true);
    }
    expect(statusLine(1, 3, [['raw', 0]], 500, 80)).toBe('(1/3) running raw 0.5s');
    expect(cut('abcdef', 4)).toBe('abc…');
    expect(cut('abc', 4)).toBe('abc');
  });

  for (const columns of [40, 80]) {
    it(`never wraps at ${columns} columns: every row fits, so clearing a row clears the whole status line`, async () => {
      const ev: RunEvent[] = [{ type: 'plan', workflow: 'wf.json', nodes: ids }];
      for (const id of ids) ev.push({ type: 'start', node: id, key: 'k', why: [] });
      ev.push({ type: 'ran', node: ids[2], key: 'k', ms: 5, why: [{ cue: 'params', text: 'params.delta 0.09 -> 0.096' }, { cue: 'code', text: 'code of node type fe changed' }], roots: [] });
      ev.push({ type: 'hit', node: 'raw', key: 'k', reason: 'cached', ms: 0, savedMs: 10 });
      ev.push(summary([ids[2]], ['raw']));
      const raw = await play(ev, { columns });
      // each status line written fits in columns - 1
      for (const seg of raw.split('\r\x1b[K')) {
        const visible = seg.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
        for (const row of visible.filter((r) => !r.startsWith('ran '))) expect([...row].length).toBeLessThan(columns); // the summary is printed once (it may wrap)
      }
      const rows = screen(raw).filter(Boolean);
      expect(rows.at(-1)).toBe('ran 1, hit 1 in 12 ms; the cache saved 3.40 s (--verbose: every node)');
      expect(rows.some((r) => r.startsWith('  hit'))).toBe(false);
      expect(rows.filter((r) => r.startsWith('  ran'))).toHaveLength(1);
    });
  }

  it('lists every hit with --verbose, and when not on a TTY (piped: one line per node, as before)', async () => {
    const ev: RunEvent[] = [{ type: 'plan', workflow: 'wf.json', nodes: ['raw', 'est'] },
      { type: 'hit', node: 'raw', key: 'k', reason: 'cached', ms: 0, savedMs: 10 },
      { type: 'hit', node: 'est', key: 'k', reason: 'cached', ms: 0, savedMs: 10 }, summary([], ['raw', 'est'])];
    expect(screen(await play(ev, { columns: 80, verbose: true })).filter(Boolean)).toEqual(['  hit     raw', '  hit     est', 'ran 0, hit 2 in 12 ms; the cache saved 3.40 s']);
    expect(await play(ev, { columns: 80, isTTY: false })).toBe('  hit     raw\n  hit     est\nran 0, hit 2 in 12 ms; the cache saved 3.40 s\n');
  });

  it('shows every reason of a run (cut to the width on a TTY), and one cause of many failures once', async () => {
    const why = [{ cue: 'params' as const, text: 'params.delta 0.09 -> 0.096' }, { cue: 'code' as const, text: 'code of node type pim changed' }];
    const err = (node: string) => new FlowError('run', `${node} (fe) failed: input "data" has no column "lnTrainfa"; did you mean lnTrainfra?; inputs: data <- est.table`, { node, file: 'wf.json' });
    const ev: RunEvent[] = [{ type: 'plan', workflow: 'wf.json', nodes: ['pim', 'fe_ris', 'fe_ais'] },
      { type: 'ran', node: 'pim', key: 'k', ms: 5, why, roots: [] },
      { type: 'failed', node: 'fe_ris', key: 'k', ms: 1, inputs: [], error: err('fe_ris') },
      { type: 'failed', node: 'fe_ais', key: 'k', ms: 1, inputs: [], error: err('fe_ais') }, summary(['pim'], [], ['fe_ris', 'fe_ais'])];
    const piped = (await play(ev, { columns: 80, isTTY: false })).split('\n');
    expect(piped[0]).toBe('  ran     pim       5.0 ms  params.delta 0.09 -> 0.096; code of node type pim changed');
    expect(piped[1]).toBe('  FAILED  wf.json: fe_ris (fe) failed: input "data" has no column "lnTrainfa"; did you mean lnTrainfra?; inputs: data <- est.table');
    expect(piped[2]).toBe('  FAILED  fe_ais  the same error as fe_ris');
    const tty = screen(await play(ev, { columns: 40 })).filter(Boolean);
    expect(tty[0]).toBe('  ran     pim       5.0 ms  params.del…');
  });
});
