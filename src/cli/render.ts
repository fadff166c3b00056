// Renders run events: JSON lines (--json), a live status line on a TTY, plain lines otherwise.
import { hostname } from 'node:os';
import type { Observable } from 'rxjs';
import type { RunEvent, Summary } from '../graph/events.js';
import { formatError } from '../graph/load.js';
import { fmtMs } from './common.js';
import { unreachable } from '../errors.js';

export interface RenderOpts { json?: boolean; tty?: boolean; out?: NodeJS.WriteStream }

export function render(events: Observable<RunEvent>, opts: RenderOpts = {}): Promise<{ summary: Summary; keys: Map<string, string> }> {
  const out = opts.out ?? process.stdout;
  const tty = !opts.json && (opts.tty ?? out.isTTY === true);
  const keys = new Map<string, string>();
  const running = new Map<string, number>();
  let total = 0, finished = 0, width = 0;
  const pad = (id: string) => id.padEnd(width);
  const line = (s: string) => {
    if (tty) out.write('\r\x1b[K');
    out.write(s + '\n');
    if (tty) footer();
  };
  const footer = () => {
    if (!running.size) return;
    const now = Date.now();
    const names = [...running].map(([id, t0]) => `${id} ${((now - t0) / 1000).toFixed(1)}s`);
    out.write(`\x1b[2m  running ${names.slice(0, 4).join(', ')}${names.length > 4 ? ` +${names.length - 4}` : ''} (${finished}/${total} done)\x1b[0m`);
  };
  const tag = (s: string, color: number) => (tty ? `\x1b[${color}m${s.padEnd(7)}\x1b[0m` : s.padEnd(7));
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
          case 'hit': keys.set(e.node, e.key); finished++; line(`  ${tag('hit', 32)} ${e.reason === 'cut-off' ? `${pad(e.node)}  early cut-off: inputs re-ran, same bytes` : e.node}`); break;
          case 'ran': keys.set(e.node, e.key); finished++; running.delete(e.node); line(`  ${tag('ran', 36)} ${pad(e.node)}  ${fmtMs(e.ms).padStart(8)}  ${e.why[0]?.text ?? ''}${e.machine && e.machine !== here ? ` (on ${e.machine})` : ''}`); break;
          case 'failed': finished++; running.delete(e.node); line(`  ${tag('FAILED', 31)} ${formatError(e.error)}`); break;
          case 'skipped': finished++; line(`  ${tag('skipped', 33)} ${pad(e.node)}  ${e.because}`); break;
          case 'waiting': line(`  waiting for ${e.on} to finish`); break;
          case 'summary': {
            summary = e.summary;
            const s = e.summary;
            if (tty) out.write('\r\x1b[K');
            out.write(`ran ${s.ran.length}, hit ${s.hit.length}${s.failed.length ? `, failed ${s.failed.length}` : ''}${s.skipped.length ? `, skipped ${s.skipped.length}` : ''} in ${fmtMs(s.ms)}; the cache saved ${fmtMs(s.savedMs)}\n`);
            break;
          }
          default: unreachable(e);
        }
      },
      error: (e) => { clearInterval(timer); reject(e); },
      complete: () => (clearInterval(timer), summary ? resolvePromise({ summary, keys }) : reject(new Error('run ended without a summary'))),
    });
  });
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const here = hostname();
