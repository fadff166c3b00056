// Node `sem`: spatial error panel model with fixed effects (concentrated ML).
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { semParams, fitSemModel } from './sem-model.js';

export const semNode = defineNode({
  type: 'sem',
  version: 1,
  description: 'Spatial error panel model y = X beta + FE + u, u = lambda W u + e, by exact concentrated ML (Anselin 1988; Elhorst 2014), optional Lee-Yu correction; the same params as sdm (no effects: beta are the marginal effects)',
  params: semParams,
  inputs: {
    data: { type: 'table', description: 'balanced panel' },
    w: { type: 'matrix', description: "spatial weights over the panel's units" },
  },
  outputs: { model: { type: 'model' } },
  run({ params, inputs, nodeId }) {
    return { model: fitSemModel(inputs.data as ColumnTable, inputs.w as IdMatrix, params, nodeId) };
  },
});
