// Registers every node type. One import + one line per node file.
import { registerNode } from './registry.js';
// estimators (issue 3)
import { feNode } from './fe.js';
import { ivNode } from './iv.js';
import { loadCsv } from './load-csv.js';
// measurement and data nodes (issue 5)
import { allocateShare } from './allocate-share.js';
import { cleanPanel } from './clean-panel.js';
import { deflate } from './deflate.js';
import { derive } from './derive.js';
import { describe } from './describe.js';
import { filter } from './filter.js';
import { ictConcordance } from './ict-concordance.js';
import { locationQuotient } from './location-quotient.js';
import { pcaIndex } from './pca-index.js';
import { pim } from './pim.js';
import { solowTfp } from './solow-tfp.js';
import { structureIndices } from './structure-indices.js';
import { loadYearbookNode } from './load-yearbook.js';
import { synthYrd26Node } from './synth-yrd26.js';
// mechanism, heterogeneity and output (issue 6)
import { mediationNode } from './mediation.js';
import { subgroupNode } from './subgroup.js';
import { tableNode } from './table.js';
import { reportNode } from './report.js';
import { specCurveNode } from './spec-curve.js';
import { monteCarloNode } from './monte-carlo.js';
import { groupListNode } from './group-list.js';

// spatial weights and models (issue 4)
import { wMatrixNode } from './w-matrix.js';
import { loadMatrixNode } from './load-matrix.js';
import { sarNode } from './sar.js';
import { sdmNode } from './sdm.js';
// spatial models and specification tests (issue 13)
import { semNode } from './sem.js';
import { sacNode } from './sac.js';
import { moranNode } from './moran.js';
import { spatialLmNode } from './spatial-lm.js';
import { spatialLrWaldNode } from './spatial-lr-wald.js';
import { hausmanNode } from './hausman.js';
import { reNode } from './re.js';

// readers and shaping (issue 14)
import { loadXlsx } from './load-xlsx.js';
import { loadDta } from './load-dta.js';
import { renameNode } from './rename.js';
import { reshapeNode } from './reshape.js';
import { joinNode } from './join.js';
import { aggregateNode } from './aggregate.js';
import { appendNode } from './append.js';
import { checkYearbookNode } from './check-yearbook.js';

const nodes = [
  // each helper adds its node definitions here
  feNode, ivNode, loadCsv,
  ictConcordance, allocateShare, deflate, pim, structureIndices, derive, cleanPanel,
  pcaIndex, locationQuotient, solowTfp, describe, filter,
  loadYearbookNode, synthYrd26Node,
  mediationNode, subgroupNode, tableNode, reportNode, specCurveNode, monteCarloNode, groupListNode,
  wMatrixNode, loadMatrixNode, sarNode, sdmNode,
  semNode, sacNode, moranNode, spatialLmNode, spatialLrWaldNode, hausmanNode, reNode,
  loadXlsx, loadDta, renameNode, reshapeNode, joinNode, aggregateNode, appendNode, checkYearbookNode,
] as const;

for (const def of nodes) registerNode(def);

export { getNode, allNodes } from './registry.js';
