// Node `spatial-lr-wald`: LR and Wald tests of the SDM against SAR and SEM.
import { defineSpatialTestNode } from './spatial-test-node.js';
import { spatialLrWaldParams, spatialLrWald } from './lr-wald-test.js';

export const spatialLrWaldNode = defineSpatialTestNode('spatial-lr-wald',
  'LR and Wald tests of the SDM (every x also as W x) against SAR (theta = 0) and SEM (theta + rho beta = 0), full information matrix (LeSage-Pace 2009; Elhorst 2014)',
  spatialLrWaldParams, spatialLrWald);
