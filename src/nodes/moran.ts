// Node `moran`: global Moran's I per period and of regression residuals.
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { moranParams, moranTest } from './spatial-tests.js';

export const moranNode = defineNode({
  type: 'moran',
  version: 1,
  description: "Global Moran's I of y per period (normal and randomisation inference, spdep moran.test) and, with x, of the residuals of y on x and the FE on I_T kron W (spdep lm.morantest)",
  params: moranParams,
  inputs: {
    data: { type: 'table', description: 'balanced panel' },
    w: { type: 'matrix', description: "spatial weights over the panel's units" },
  },
  outputs: {
    model: { type: 'model', description: 'the statistics as JSON (tests: the table rows)' },
    table: { type: 'table', description: 'test | y | statistic | z | df | p_value (stack several with append, print with table)' },
  },
  run({ params, inputs, nodeId }) {
    return moranTest(inputs.data as ColumnTable, inputs.w as IdMatrix, params, nodeId);
  },
});
