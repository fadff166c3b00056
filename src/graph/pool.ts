// A small pool of worker threads for node types marked `worker: true`. Workers are
// started on first use and ended with the run. Only from compiled JS: a worker cannot
// load .ts files under tsx/vitest on Node 20.
import { Worker } from 'node:worker_threads';
import { FlowError } from '../errors.js';
import type { OutputRef } from './store.js';
import type { WorkerJob, WorkerReply } from './worker.js';

export class WorkerPool {
  private idle: Worker[] = [];
  private all = new Set<Worker>();
  private waiting: ((w: Worker) => void)[] = [];
  private next = 0;
  constructor(private size: number) {}

  static available(): boolean { return import.meta.url.endsWith('.js'); }

  async run(job: Omit<WorkerJob, 'id'>): Promise<Record<string, OutputRef>> {
    const w = await this.acquire();
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      const done = () => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); };
      const onMessage = (m: WorkerReply) => {
        if (m.id !== id) return;
        done();
        this.release(w);
        if ('error' in m) reject(new FlowError(m.error.kind === 'data' ? 'data' : 'run', m.error.message));
        else resolve(m.outputs);
      };
      const onError = (e: Error) => { done(); this.all.delete(w); reject(e); };
      const onExit = (code: number) => { done(); this.all.delete(w); reject(new Error(`worker thread exited (code ${code})`)); };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ ...job, id });
    });
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.all.size < this.size) {
      const nw = new Worker(new URL('../graph/worker.js', import.meta.url));
      this.all.add(nw);
      return Promise.resolve(nw);
    }
    return new Promise((r) => this.waiting.push(r));
  }

  private release(w: Worker): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(w); else this.idle.push(w);
  }

  close(): void {
    for (const w of this.all) void w.terminate();
    this.all.clear();
    this.idle = [];
  }
}
