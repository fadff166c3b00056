// Renders run events: JSON lines (--json), a live status line on a TTY, plain lines otherwise.
// On a TTY the status line ("(22/38) running fe_ris 1.2s, ...") is cut to the terminal width so
// it never wraps (`\r\x1b[K` clears one row only), and cache hits are not listed one by one
// (the summary counts them; --verbose lists them). Piped output keeps one line per node.
import { hostname } from 'node:os';
import type { Observable } from 'rxjs';
import type { RunEvent, Summary } from '../graph/events.js';
import { formatError } from '../graph/load.js';
import { fmtMs } from './common.js';
import { unreachable } from '../errors.js';

export interface RenderOpts {
  json?: boolean; tty?: boolean; out?: NodeJS.WriteStream;
  /** list every node (hits too) on a TTY */
  verbose?: boolean;
  /** the terminal width (default: the stream's columns, else 80) */
  columns?: () => number;
}

/** `s` cut to `width` characters (an ellipsis marks the cut). */
export function cut(s: string, width: number): string {
  const w = Math.max(1, width);
  const chars = [...s];
  return chars.length <= w ? s : chars.slice(0, Math.max(0, w - 1)).join('') + '…';
}

/** The TTY status line (plain text, cut to width - 1 so that it never reaches the last column). */
export function statusLine(finished: number, total: number, running: [string, number][], now: number, width: number): string {
  const names = running.map(([id, t0]) => `${id} ${((now - t0) / 1000).toFixed(1)}s`);
  const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? ` +${names.length - 4}` : '');
  return cut(`(${finished}/${total}) running ${shown}`, width - 1);
}

export function render(events: Observable<RunEvent>, opts: RenderOpts = {}): Promise<{ summary: Summary; keys: Map<string, string> }> {
  const out = opts.out ?? process.stdout;
  const tty = !opts.json && (opts.tty ?? out.isTTY === true);
  const cols = opts.columns ?? (() => (out.columns && out.columns > 0 ? out.columns : 80));
  const keys = new Map<string, string>();
  const running = new Map<string, number>();
  let total = 0, finished = 0, width = 0, hidden = 0;
  const seen = new Map<string, string>();
  const pad = (id: string) => id.padEnd(width);
  // a finished node's line; on a TTY cut to the width (colour codes added after the cut)
  const line = (tagText: string, color: number, rest: string) => {
    const plain = `  ${tagText.padEnd(7)} ${rest}`.trimEnd();
    if (!tty) { out.write(plain + '\n'); return; }
    const s = cut(plain, cols() - 1);
    const at = 2 + tagText.length;
    out.write('\r\x1b[K' + (s.length >= at ? `  \x1b[${color}m${s.slice(2, at)}\x1b[0m${s.slice(at)}` : s) + '\n');
    footer();
  };
  const footer = () => {
    if (!running.size) return;
    out.write(`\x1b[2m${statusLine(finished, total, [...running], Date.now(), cols())}\x1b[0m`);
  };
  // on a TTY, refresh the running line so long nodes show their time
  const timer = tty ? setInterval(() => { if (running.size) { out.write('\r\x1b[K'); footer(); } }, 200) : undefined;
  timer?.unref();
  return new Promise((resolvePromise, reject) => {
    let summary: Summary | undefined;
    events.subscribe({
      next(e) {
        if (opts.json) {
          switch (e.type) {
            case 'hit': keys.set(e.node, e.key); out.write(JSON.stringify({ node: e.node, status: 'hit', ms: round(e.ms), key: e.key, reason: e.reason, ...(e.remote ? { from: 'shared cache' } : {}) }) + '\n'); break;
            case 'ran': keys.set(e.node, e.key); out.write(JSON.stringify({ node: e.node, status: 'ran', ms: round(e.ms), key: e.key, why: e.why.map((r) => r.text), roots: e.roots, machine: e.machine }) + '\n'); break;
            case 'failed': out.write(JSON.stringify({ node: e.node, status: 'failed', ms: round(e.ms), key: e.key, inputs: e.inputs, error: formatError(e.error) }) + '\n'); break;
            case 'skipped': out.write(JSON.stringify({ node: e.node, status: 'skipped', ms: 0, key: null, because: e.because }) + '\n'); break;
            case 'summary': summary = e.summary; out.write(JSON.stringify({ summary: { ...e.summary, ms: round(e.summary.ms), savedMs: round(e.summary.savedMs) } }) + '\n'); break;
            case 'plan': case 'start': break;
            case 'waiting': process.stderr.write(`waiting for ${e.on} to finish\n`); break;
            default: unreachable(e);
          }
          return;
        }
        switch (e.type) {
          case 'plan': total = e.nodes.length; width = Math.min(32, Math.max(0, ...e.nodes.map((n) => n.length))); break;
          case 'start': running.set(e.node, Date.now()); if (tty) { out.write('\r\x1b[K'); footer(); } break;
          case 'hit': {
            keys.set(e.node, e.key); finished++; running.delete(e.node);
            if (tty && !opts.verbose && e.reason !== 'cut-off') { hidden++; if (running.size) { out.write('\r\x1b[K'); footer(); } break; }
            line('hit', 32, e.reason === 'cut-off' ? `${pad(e.node)}  early cut-off: inputs re-ran, same bytes` : e.node);
            break;
          }
          case 'ran': keys.set(e.node, e.key); finished++; running.delete(e.node); line('ran', 36, `${pad(e.node)}  ${fmtMs(e.ms).padStart(8)}  ${e.why.map((r) => r.text).join('; ')}${e.machine && e.machine !== here ? ` (on ${e.machine})` : ''}`); break;
          case 'failed': {
            finished++; running.delete(e.node);
            // the same cause in several nodes (one bad column in $controls): in full once, then "the same error as"
            const k = sameKey(e.node, e.error.message);
            const first = seen.get(k);
            if (first === undefined) seen.set(k, e.node);
            const msg = first === undefined ? formatError(e.error) : `${pad(e.node)}  the same error as ${first}`;
            // a failure is never cut: it is printed whole, after clearing the status line
            if (tty) { out.write(`\r\x1b[K  \x1b[31mFAILED\x1b[0m  ${msg}\n`); footer(); } else out.write(`  FAILED  ${msg}\n`);
            break;
          }
          case 'skipped': finished++; line('skipped', 33, `${pad(e.node)}  ${e.because}`); break;
          case 'waiting': line('waiting', 0, `for ${e.on} to finish`); break;
          case 'summary': {
            summary = e.summary;
            const s = e.summary;
            if (tty) out.write('\r\x1b[K');
            const more = hidden ? ' (--verbose: every node)' : '';
            out.write(`ran ${s.ran.length}, hit ${s.hit.length}${s.failed.length ? `, failed ${s.failed.length}` : ''}${s.skipped.length ? `, skipped ${s.skipped.length}` : ''} in ${fmtMs(s.ms)}; the cache saved ${fmtMs(s.savedMs)}${more}\n`);
            break;
          }
          default: unreachable(e);
        }
      },
      error: (e) => { clearInterval(timer); if (tty) out.write('\r\x1b[K'); reject(e); },
      complete: () => (clearInterval(timer), summary ? resolvePromise({ summary, keys }) : reject(new Error('run ended without a summary'))),
    });
  });
}

/** A failure's message without its node ("fe_ris (fe) failed: ") and inputs: equal for one cause in several nodes. */
const sameKey = (node: string, message: string) =>
  message.replace(/^.*? failed: /, '').replace(/; inputs: .*$/, '').split(node).join('\0');

const round = (ms: number) => Math.round(ms * 10) / 10;
const here = hostname();
