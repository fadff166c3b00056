// Node `spatial-lm`: LM tests for a spatial lag or error in the non-spatial panel model.
import { defineSpatialTestNode } from './spatial-test-node.js';
import { spatialLmParams, spatialLm } from './spatial-lm-test.js';

export const spatialLmNode = defineSpatialTestNode('spatial-lm',
  'LM lag, LM error and their robust forms (Anselin 1988; Anselin et al. 1996; Elhorst 2014) on the pooled or fixed-effects OLS residuals, chi2(1)',
  spatialLmParams, spatialLm);
