// Node `sar`: spatial lag panel model with fixed effects (concentrated ML) and effects.
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { IdMatrix } from '../ports/index.js';
import { sarParams, fitSpatialModel } from './spatial-model.js';

export const sarNode = defineNode({
  type: 'sar',
  version: 1,
  description: 'Spatial autoregressive panel model y = rho W y + X beta + FE by exact concentrated ML (Elhorst 2014), optional Lee-Yu correction, LeSage-Pace direct/indirect/total effects with simulated SEs',
  params: sarParams,
  inputs: {
    data: { type: 'table', description: 'balanced panel' },
    w: { type: 'matrix', description: "spatial weights over the panel's units" },
    cleaning: { type: 'json', optional: true, many: true, description: "clean-panel report(s) of the panel: an error about a unit W has and the panel lacks then names the step that removed it" },
  },
  outputs: { model: { type: 'model' } },
  run({ params, inputs, nodeId, sources }) {
    const cleaning = ((inputs.cleaning as unknown[] | undefined) ?? []).map((report, i) => ({ node: sources?.cleaning?.[i]?.node ?? 'clean-panel', report }));
    return { model: fitSpatialModel(inputs.data as ColumnTable, inputs.w as IdMatrix, params, 'sar', { nodeId, cleaning }) };
  },
});
