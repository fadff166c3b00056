// Node `fe`: linear model with any number of absorbed fixed effects. The computation is
// fitFeModel (estimation.ts), shared with mediation and subgroup; model JSON described there.
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { feParams, fitFeModel } from './estimation.js';

export { feParams, fitFeModel, type FeParams } from './estimation.js';

export const feNode = defineNode({
  type: 'fe',
  version: 3,
  description: 'Linear regression with absorbed fixed effects (within estimator: exact absorption when the other FE dimensions are small, else alternating projections), Stata/fixest-compatible covariances, optional wild cluster bootstrap',
  params: feParams,
  inputs: { data: { type: 'table', description: 'panel or cross-section' } },
  outputs: { model: { type: 'model' } },
  run({ params, inputs, nodeId }) {
    return { model: fitFeModel(inputs.data as ColumnTable, params, { nodeId }) };
  },
});
