// flow ui [workflow...]: the local web app (src/ui/): the DAG coloured by status, live runs,
// node panels, run history and comparisons. Listens on 127.0.0.1 by default (--host to
// change; port 0 picks a free one) and prints the URL; stops on Ctrl-C.
import { FlowError } from '../errors.js';
import { Session } from '../ui/session.js';
import { uiServer } from '../ui/server.js';

export interface UiCmdOpts { port: string; host: string; cache?: string; out?: boolean; jobs?: number; workers?: number }

export async function uiCommand(workflows: string[], o: UiCmdOpts): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlowError('validate', `--port ${o.port}: expected 0..65535 (0: any free port)`);
  const session = new Session(workflows, { cache: o.cache, out: o.out, jobs: o.jobs, workers: o.workers });
  if (!session.given.length) throw new FlowError('validate', 'no workflow: name one (flow ui workflows/paper.json), or run flow ui where workflows/ holds some');
  // open each workflow once now: an invalid one stops here, with its errors, as flow run would
  const { store } = await session.open(session.given[0]);
  for (const rel of session.given.slice(1)) await session.open(rel);
  session.startPolling(store);
  const server = uiServer(session, o.host);
  await new Promise<void>((res, rej) => {
    server.once('error', (e: NodeJS.ErrnoException) => { session.stop(); rej(new FlowError('validate', `--host ${o.host} --port ${port}: cannot listen there (${e.code === 'EADDRINUSE' ? 'the port is taken: try another, or --port 0' : e.message})`)); });
    server.listen(port, o.host, () => res());
  });
  const addr = server.address();
  const where = typeof addr === 'object' && addr ? `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/` : String(addr);
  process.stdout.write(`flow ui: ${where}  (${session.given.join(', ')}; cache ${store.dir}; Ctrl-C to stop)\n`);
  const stop = () => { session.stop(); server.close(); server.closeAllConnections(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
