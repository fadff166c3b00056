// Node `moran`: global Moran's I per period and of regression residuals.
import { defineSpatialTestNode } from './spatial-test-node.js';
import { moranParams, moranTest } from './moran-test.js';

export const moranNode = defineSpatialTestNode('moran',
  "Global Moran's I of y per period (normal and randomisation inference, spdep moran.test) and, with x, of the residuals of y on x and the FE on I_T kron W (spdep lm.morantest)",
  moranParams, moranTest);
