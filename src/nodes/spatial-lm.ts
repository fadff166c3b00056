// Node `spatial-lm`: LM tests for a spatial lag or error in the non-spatial panel model.
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { spatialLmParams, spatialLm } from './spatial-tests.js';

export const spatialLmNode = defineNode({
  type: 'spatial-lm',
  version: 1,
  description: 'LM lag, LM error and their robust forms (Anselin 1988; Anselin et al. 1996; Elhorst 2014) on the pooled or fixed-effects OLS residuals, chi2(1)',
  params: spatialLmParams,
  inputs: {
    data: { type: 'table', description: 'balanced panel' },
    w: { type: 'matrix', description: "spatial weights over the panel's units" },
  },
  outputs: {
    model: { type: 'model', description: 'the statistics as JSON (tests: the table rows)' },
    table: { type: 'table', description: 'test | y | statistic | z | df | p_value (stack several with append, print with table)' },
  },
  run({ params, inputs, nodeId }) {
    return spatialLm(inputs.data as ColumnTable, inputs.w as IdMatrix, params, nodeId);
  },
});
