// The `flow` command. Each subcommand lives in its own file and is imported only when
// used, so `flow run` on a warm cache loads little.
import { Command } from 'commander';
import { collect, collectSet, flowVersion, reportError } from './common.js';

const version = flowVersion();

// `flow ... | head` closes stdout early: stop quietly (every cache write is atomic)
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw e; });

const program = new Command('flow')
  .description('reproducible empirical economics: a DAG of typed nodes with content-hash caching')
  .version(version, '-V, --version', 'print the flow version')
  .showHelpAfterError();

const cacheOpt = ['--cache <dir>', 'cache directory (default: cache/ at the project root)'] as const;
const sharedCacheOpt = ['--cache <dir|url>', 'cache directory (default: cache/ at the project root), or a shared cache: s3://bucket/prefix?endpoint=http://host:port, file:///shared/folder'] as const;
const localCacheOpt = ['--local-cache <dir>', 'with a shared --cache: the local cache over it (default: cache/ at the project root)'] as const;

program.command('run <workflow>').description('run a workflow; cached nodes are hits')
  .option('--set <name=value>', 'override a param (repeatable; numbers, booleans, JSON)', collectSet, [])
  .option('--only <node>', 'run only this node and what it needs (repeatable)', collect, [])
  .option('--force <node>', 're-run this node even if cached (repeatable)', collect, [])
  .option('--out <dir>', 'write every output to DIR (default: the workflow\'s "out" folder): <node>.<port>.csv|json, a report\'s files in <node>/')
  .option('--no-out', 'write no outputs (only the cache)')
  .option('--json', 'one JSON event per line, then a summary line')
  .option('--verbose', 'on a terminal too, one line per node (cache hits included)')
  .option('--jobs <n>', 'nodes run at once', (v) => Math.max(1, parseInt(v, 10) || 1), 4)
  .option('--workers <n>', 'worker threads for CPU-heavy node types (0: none; default: cores - 1)', (v) => Math.max(0, parseInt(v, 10) || 0))
  .option(...sharedCacheOpt).option(...localCacheOpt)
  .option('--executor <name>', 'embedded (default: this process) or bullmq (flow workers pull the nodes from a Redis queue)')
  .option('--redis <url>', 'the Redis of --executor bullmq, e.g. redis://127.0.0.1:6379')
  .action(async (wf, o) => (await import('./run.js')).runCommand(wf, o));

program.command('status <workflow>').description('each node: fresh or stale, and why; exit code 1 when anything is stale')
  .option('--set <name=value>', 'as for run', collectSet, []).option('--json', 'JSON output').option(...cacheOpt)
  .action(async (wf, o) => (await import('./status.js')).statusCommand(wf, o));

program.command('explain <workflow> <node>').description('why a node ran last time, or would run now, down to the root cause')
  .option('--set <name=value>', 'as for run', collectSet, []).option('--json', 'JSON output').option(...cacheOpt)
  .action(async (wf, node, o) => (await import('./explain.js')).explainCommand(wf, node, o));

program.command('diff <a> <b>').description('run two workflows (most nodes are cache hits) and print each table\'s changed cells and the root param differences; exit 1 when anything differs')
  .option('--table <id>', 'only this table node (repeatable; a declared id matches its matrix copies)', collect, [])
  .option('--json', 'JSON output').option('--format <f>', 'text | md (Markdown)', 'text')
  .option('--jobs <n>', 'as for run', (v) => Math.max(1, parseInt(v, 10) || 1), 4).option(...cacheOpt)
  .action(async (a, b, o) => (await import('./diff.js')).diffCommand(a, b, o));

program.command('read <workflow-or-node> [node]').description('print one output from the cache: flow read [workflow] <node>[.<port>] (a table as CSV, a model as JSON, a table\'s report as Markdown); without a workflow, the last one run on the cache')
  .option('--head <n>', 'a table: only its first N rows').option('--json', 'the value as JSON')
  .option('--file <name>', 'a report: which of its files (default: the .md)')
  .option('--set <name=value>', 'as for run', collect, []).option(...cacheOpt)
  .action(async (first, node, o) => (await import('./read.js')).readCommand(first, node, o));

program.command('graph <workflow>').description('print the DAG')
  .option('--format <f>', 'mermaid | dot | json', 'mermaid').option('--set <name=value>', 'as for run', collectSet, [])
  .action(async (wf, o) => (await import('./graph.js')).graphCommand(wf, o));

program.command('nodes [type]').description('the node catalogue: params, types, defaults, descriptions')
  .option('--json', 'JSON output')
  .action(async (type, o) => (await import('./nodes.js')).nodesCommand(type, o));

const cache = program.command('cache').description('inspect and maintain the cache (a local folder, or a shared cache: --cache s3://… or file://…)');
cache.command('ls').description('list cached node results').option(...sharedCacheOpt).option('--json', 'JSON output')
  .option('--node <id>', 'only this node (a declared id: every matrix copy of it)').option('--workflow <file>', 'only results made by this workflow (workflows/paper.json, or paper.json)')
  .action(async (o) => (await import('./cache.js')).cacheLs(o));
cache.command('show <key>').description('one record (a key prefix is enough)').option(...sharedCacheOpt)
  .action(async (key, o) => (await import('./cache.js')).cacheShow(key, o));
cache.command('gc').description('remove results that no recent run of a workflow used, and stale temp files')
  .option('--dry-run', 'only list what would be removed, by node, workflow and overrides')
  .option('--keep-runs <n>', 'keep what the last N runs of each workflow and each set of --set overrides used (default 1)')
  .option('--keep <age>', 'forget runs older than this (30m, 12h, 7d, 2w; default: none)')
  .option('--grace <age>', 'shared cache only: keep every entry younger than this, which a run elsewhere may not have recorded yet (default 1h)')
  .option(...sharedCacheOpt)
  .action(async (o) => (await import('./cache.js')).cacheGc(o));
cache.command('verify').description('re-hash every artifact; check every record').option(...sharedCacheOpt)
  .option('--fix', 'remove broken records and objects')
  .option('--recompute <n>', 're-run N sampled records and compare their output hashes (non-determinism, poisoned records); writes nothing')
  .option('--seed <s>', 'with --recompute: which records are sampled (default 1)')
  .option(...localCacheOpt)
  .action(async (o) => (await import('./cache.js')).cacheVerify(o));

program.command('log [workflow]').description('the runs recorded on this cache: when, with which --set overrides, what ran')
  .option('--json', 'one JSON line per run').option('--last <n>', 'only the last N runs').option(...cacheOpt)
  .action(async (wf, o) => (await import('./log.js')).logCommand(wf, o));

program.command('watch <workflow>').description('re-run affected nodes when the workflow or a file it reads changes')
  .option('--set <name=value>', 'as for run', collectSet, []).option('--json', 'JSON events').option(...cacheOpt)
  .option('--verbose', 'as for run').option('--out <dir>', 'as for run').option('--no-out', 'as for run')
  .action(async (wf, o) => (await import('./watch.js')).watchCommand(wf, o));

program.command('export <workflow> <node>').description('the Stata or R code that re-estimates an estimator node (fe, iv, mediation, subgroup, re, sar, sdm, sem, sac), on stdout; --dir DIR writes the data beside it')
  .requiredOption('--to <tool>', 'stata (reghdfe / ivreghdfe / xsmle) or r (fixest / splm)').option('--dir <dir>', 'write <node>.csv, <node>.dta (and W) and the code file here')
  .option('--set <name=value>', 'as for run', collectSet, []).option(...cacheOpt)
  .action(async (wf, node, o) => (await import('./export.js')).exportCommand(wf, node, o));

program.command('ui [workflow...]').description('a local web app: the DAG coloured by status, live runs, node outputs, run history and comparisons (default: the workflows in workflows/)')
  .option('--port <p>', 'port (0: any free one)', '8765').option('--host <h>', 'address to listen on', '127.0.0.1')
  .option('--no-out', 'runs started from the page write no outputs (only the cache)')
  .option('--jobs <n>', 'as for run', (v) => Math.max(1, parseInt(v, 10) || 1), 4)
  .option('--workers <n>', 'as for run', (v) => Math.max(0, parseInt(v, 10) || 0)).option(...cacheOpt)
  .action(async (wfs, o) => (await import('./ui.js')).uiCommand(wfs, o));

program.command('worker').description('run node jobs from a flow run --executor bullmq: pull from Redis, read and write the shared cache')
  .requiredOption('--redis <url>', 'the queue: redis://host:port[?prefix=NAME] (the same as the coordinator\'s)')
  .requiredOption('--cache <url>', 'the shared cache: s3://bucket/prefix?endpoint=… or file:///shared/dir (the same as the coordinator\'s)')
  .option('--concurrency <n>', 'jobs at once, each in its own thread (1..64)', '1')
  .option('--exit-when-idle <secs>', 'exit after this long with no job (60, 60s, 5m)')
  .option('--lock-ms <n>', 'job lock duration: a job whose worker died is re-run after about this long', '30000')
  .option('--queue <name>', 'queue name (default flow-nodes)')
  .action(async (o) => (await import('./worker.js')).workerCommand(o));

// `flow synth` (the data generator) is registered only when asked for, or for help:
// its module is heavy and no other command needs it
const first = process.argv[2];
if (first === 'synth' || first === undefined || first === 'help' || first === '--help' || first === '-h') {
  (await import('./synth.js')).registerSynth(program);
}

program.parseAsync(process.argv).catch((e) => { process.exitCode = reportError(e); });
