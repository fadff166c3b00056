// Node `sac`: spatial lag and spatial error panel model (SARAR) with fixed effects.
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { sacParams, fitSacModel } from './sac-model.js';

export const sacNode = defineNode({
  type: 'sac',
  version: 1,
  description: 'SAC panel model y = rho W y + X beta + FE + u, u = lambda W u + e, by exact concentrated ML over (rho, lambda) (Anselin 1988; Elhorst 2014), optional Lee-Yu correction, LeSage-Pace effects of rho with simulated SEs; the same params as sdm',
  params: sacParams,
  inputs: {
    data: { type: 'table', description: 'balanced panel' },
    w: { type: 'matrix', description: "spatial weights over the panel's units" },
  },
  outputs: { model: { type: 'model' } },
  run({ params, inputs, nodeId }) {
    return { model: fitSacModel(inputs.data as ColumnTable, inputs.w as IdMatrix, params, nodeId) };
  },
});
