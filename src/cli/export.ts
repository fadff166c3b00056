// flow export <wf> <node> --to stata|r [--dir DIR]: the Stata or R code that re-estimates
// an estimator node without flow, on standard output; with --dir, the data it used beside
// it (<node>.csv, <node>.dta; a spatial model's W as <node>_W.csv / .dta). The node and
// what it needs run first (cache hits when the workflow has run).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import type { ColumnTable } from 'arquero';
import { FlowError } from '../errors.js';
import { openWorkflow, type WorkflowOpts } from './common.js';
import { run, selectNodes } from '../graph/scheduler.js';
import { decode } from '../graph/codec.js';
import type { IdMatrix } from '../ports/index.js';
import type { Store } from '../graph/store.js';
import type { Plan } from '../graph/plan.js';
import { exportSpec, usedColumns, groupColumns, ExportError, EXPORTABLE } from '../export/spec.js';
import { flowEstimates } from '../export/estimates.js';
import { exportTable, exportW } from '../export/data.js';
import { stataCode, rCode, type CodeContext } from '../export/code.js';

export interface ExportCmdOpts extends WorkflowOpts { to: string; dir?: string }

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

async function outputOf(plan: Plan, store: Store, keys: Map<string, string>, node: string, port: string): Promise<unknown> {
  const rec = store.getRecord(keys.get(node)!);
  const ref = rec?.outputs[port];
  if (!ref) throw new FlowError('cache', `no cached output ${node}.${port}: run the workflow again`, { file: plan.file, node });
  return decode(ref.type, store.getObject(ref.hash));
}

const atomicWrite = (file: string, data: string | Uint8Array) => { const tmp = `${file}.flow-tmp-${process.pid}`; writeFileSync(tmp, data); renameSync(tmp, file); };

export async function exportCommand(wf: string, nodeName: string, o: ExportCmdOpts): Promise<void> {
  if (o.to !== 'stata' && o.to !== 'r') throw new FlowError('validate', `--to ${o.to}: use --to stata or --to r`);
  const { plan, store } = await openWorkflow(wf, o);
  const ids = [...selectNodes(plan, [nodeName], 'export')];
  if (ids.length > 1) throw new FlowError('validate', `${nodeName} has ${ids.length} matrix copies: name one, e.g. "${ids[0]}"`, { file: plan.file, node: nodeName });
  const id = ids[0];
  const pn = plan.nodes.get(id)!;
  if (!(EXPORTABLE as readonly string[]).includes(pn.type)) throw new FlowError('validate', `${id} is a ${pn.type} node; flow export writes the code of ${EXPORTABLE.join(', ')} nodes`, { file: plan.file, node: id });
  let spec = exportSpec(pn.type, pn.params);

  const events = await lastValueFrom(run(plan, { store, only: [id] }).pipe(toArray()));
  const keys = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'hit' || e.type === 'ran') keys.set(e.node, e.key);
    if (e.type === 'failed') throw e.error;
  }
  const data = pn.inputs.data[0], wRef = pn.inputs.w?.[0];
  const table = (await outputOf(plan, store, keys, data.node, data.port)) as ColumnTable;
  const model = await outputOf(plan, store, keys, id, spec.kind === 'subgroup' ? 'models' : 'model');
  // subgroup without explicit groups: the groups flow fitted, in its order
  if (spec.kind === 'subgroup' && !spec.groups) spec = { ...spec, groups: (model as { group?: { value: string | number } }[]).flatMap((m) => (m.group ? [m.group.value] : [])) };
  const W = wRef ? ((await outputOf(plan, store, keys, wRef.node, wRef.port)) as IdMatrix) : undefined;

  try {
    const d = exportTable(table, usedColumns(spec), groupColumns(spec), W?.ids);
    const ctx: CodeContext = {
      node: id, workflow: relative(process.cwd(), plan.file) || plan.file, flowVersion: version,
      stem: id.replace(/[^\w.-]/g, '_'), nobs: d.nobs, renamed: d.renamed,
      ...flowEstimates(spec, model),
      ...(W ? { w: { stem: `${id.replace(/[^\w.-]/g, '_')}_W`, ids: W.ids } } : {}),
    };
    const code = o.to === 'stata' ? stataCode(spec, ctx) : rCode(spec, ctx);
    if (o.dir) {
      const dir = resolve(o.dir);
      mkdirSync(dir, { recursive: true });
      atomicWrite(join(dir, `${ctx.stem}.csv`), d.csv);
      atomicWrite(join(dir, `${ctx.stem}.dta`), d.dta);
      if (W) { const w = exportW(W); atomicWrite(join(dir, `${ctx.w!.stem}.csv`), w.csv); atomicWrite(join(dir, `${ctx.w!.stem}.dta`), w.dta); }
      atomicWrite(join(dir, `${ctx.stem}.${o.to === 'stata' ? 'do' : 'R'}`), code);
      process.stderr.write(`wrote ${ctx.stem}.csv, ${ctx.stem}.dta${W ? `, ${ctx.w!.stem}.csv, ${ctx.w!.stem}.dta` : ''} and ${ctx.stem}.${o.to === 'stata' ? 'do' : 'R'} to ${relative(process.cwd(), dir) || '.'}\n`);
    } else {
      process.stderr.write(`(the code reads ${ctx.stem}.${o.to === 'stata' ? 'dta' : 'csv'}: add --dir DIR to write the data beside it)\n`);
    }
    process.stdout.write(code);
  } catch (e) {
    if (e instanceof ExportError) throw new FlowError('data', e.message, { file: plan.file, node: id }, e);
    throw e;
  }
}
