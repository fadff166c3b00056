// Node `spatial-lr-wald`: LR and Wald tests of the SDM against SAR and SEM.
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { spatialLrWaldParams, spatialLrWald } from './spatial-tests.js';

export const spatialLrWaldNode = defineNode({
  type: 'spatial-lr-wald',
  version: 1,
  description: 'LR and Wald tests of the SDM (every x also as W x) against SAR (theta = 0) and SEM (theta + rho beta = 0), full information matrix (LeSage-Pace 2009; Elhorst 2014)',
  params: spatialLrWaldParams,
  inputs: {
    data: { type: 'table', description: 'balanced panel' },
    w: { type: 'matrix', description: "spatial weights over the panel's units" },
  },
  outputs: {
    model: { type: 'model', description: 'the statistics as JSON (tests: the table rows)' },
    table: { type: 'table', description: 'test | y | statistic | z | df | p_value (stack several with append, print with table)' },
  },
  run({ params, inputs, nodeId }) {
    return spatialLrWald(inputs.data as ColumnTable, inputs.w as IdMatrix, params, nodeId);
  },
});
