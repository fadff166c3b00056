// Node `hausman`: Hausman test of fixed against random effects (non-spatial).
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { hausmanParams, hausman } from './hausman-test.js';

export const hausmanNode = defineNode({
  type: 'hausman',
  version: 1,
  description: 'Hausman (1978) test of within (FE) against Swamy-Arora random effects on a balanced panel (plm phtest); non-spatial: the spatial Hausman test needs spatial RE ML, not built. The same params as sdm where they apply',
  params: hausmanParams,
  inputs: { data: { type: 'table', description: 'balanced panel' } },
  outputs: {
    model: { type: 'model', description: 'the statistic, both coefficient vectors, variance components' },
    table: { type: 'table', description: 'test | y | statistic | z | df | p_value' },
  },
  run({ params, inputs, nodeId }) {
    return hausman(inputs.data as ColumnTable, params, nodeId);
  },
});
