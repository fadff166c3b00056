// One definition for the W-based specification-test nodes (moran, spatial-lm,
// spatial-lr-wald): the sdm node's ports in, a model-like JSON and the shared test table out.
import type { ColumnTable } from 'arquero';
import type { z } from 'zod';
import { defineNode } from '../graph/node.js';
import type { IdMatrix, ModelJson } from '../ports/index.js';

export function defineSpatialTestNode<P extends z.ZodTypeAny>(
  type: string, description: string, params: P,
  compute: (data: ColumnTable, w: IdMatrix, params: z.infer<P>, nodeId: string) => { model: ModelJson; table: ColumnTable },
) {
  return defineNode({
    type,
    version: 1,
    description,
    params,
    inputs: {
      data: { type: 'table', description: 'balanced panel' },
      w: { type: 'matrix', description: "spatial weights over the panel's units" },
    },
    outputs: {
      model: { type: 'model', description: 'the statistics as JSON (tests: the table rows)' },
      table: { type: 'table', description: 'test | y | statistic | z | df | p_value (stack several with append, print with table)' },
    },
    run({ params: p, inputs, nodeId }) {
      return compute(inputs.data as ColumnTable, inputs.w as IdMatrix, p as z.infer<P>, nodeId);
    },
  });
}
