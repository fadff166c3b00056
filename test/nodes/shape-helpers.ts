// Running a shaping node directly on small tables.
import * as aq from 'arquero';
import type { NodeDef } from '../../src/graph/node.js';

export const tbl = (cols: Record<string, ArrayLike<unknown>>) => aq.table(cols as Record<string, unknown[]>, Object.keys(cols));

export async function runNode(def: NodeDef<any>, params: unknown, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<aq.ColumnTable> {
  const out = await def.run({ params: def.params.parse(params), inputs, resolvePath: (p: string) => p, nodeId: 'n', ...extra });
  return out.table as aq.ColumnTable;
}

/** Every column as a plain array (typed arrays copied), for toEqual. */
export const rows = (t: aq.ColumnTable) => Object.fromEntries(t.columnNames().map((c) => [c, Array.from(t.array(c) as ArrayLike<unknown>)]));
