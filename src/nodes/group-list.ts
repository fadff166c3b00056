// `group-list`: the members of each group of a column, one row per group (the paper's
// Table 6: the 26 cities by size class, from the cities the models use).
import { z } from 'zod';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { requireColumns } from './columns.js';

const MSG = {
  unknownGroup: (g: string, by: string, present: string[]) => `group "${g}" does not occur in column "${by}" (present: ${present.join(', ')}): fix groups`,
  missing: (col: string, n: number) => `column "${col}" is empty in ${n} row(s): every row needs a group and a member`,
} as const;

export const groupListParams = z.object({
  by: z.string().describe('group column (e.g. size_class)'),
  member: z.string().describe('member column (e.g. city); each distinct value is listed once'),
  groups: z.array(z.string()).optional().describe('groups and their order (default: in order of first appearance); a listed group with no member is an error'),
  labels: z.record(z.string(), z.string()).default({}).describe('member or group value -> printed name (e.g. "Taizhou_JS": "Taizhou (Jiangsu)")'),
}).strict();

export const groupListNode = defineNode({
  type: 'group-list',
  version: 1,
  description: 'One row per group of a column: the group, its number of members and their names (the paper\'s Table 6: cities by size class)',
  params: groupListParams,
  inputs: { data: { type: 'table' } },
  outputs: { table: { type: 'table', description: 'columns: <by>, n, <member> (comma-separated)' } },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    requireColumns(t, [p.by, p.member], 'data', nodeId);
    const by = Array.from(t.array(p.by) as ArrayLike<unknown>), mem = Array.from(t.array(p.member) as ArrayLike<unknown>);
    const empty = (v: unknown) => v == null || v === '';
    for (const [col, vals] of [[p.by, by], [p.member, mem]] as const) {
      const n = vals.filter(empty).length;
      if (n) throw dataError(MSG.missing(col, n), { node: nodeId });
    }
    const members = new Map<string, string[]>();
    by.forEach((g, i) => {
      const list = members.get(String(g)) ?? [];
      if (!list.includes(String(mem[i]))) list.push(String(mem[i]));
      members.set(String(g), list);
    });
    const groups = p.groups ?? [...members.keys()];
    for (const g of groups) if (!members.has(g)) throw dataError(MSG.unknownGroup(g, p.by, [...members.keys()]), { node: nodeId });
    const name = (v: string) => p.labels[v] ?? v;
    return {
      table: aq.table({
        [p.by]: groups.map(name),
        n: groups.map((g) => members.get(g)!.length),
        [p.member]: groups.map((g) => members.get(g)!.map(name).join(', ')),
      }),
    };
  },
});
