// Fixed effects as integer factors, and the within transformation: exact in two passes
// when all but the largest factor have few levels (unit x year panels), else by
// alternating projections (the method of reghdfe and fixest); never dense dummy
// matrices. The pieces live in fe/: factors.ts (encoding, singletons, absorbed dof),
// demean.ts (the within transformation), columns.ts (its per-column kernels: alternating
// projections, conjugate gradients, the exact passes), exact.ts (planning the exact
// absorption), threads.ts (columns on worker threads).
export { type Factor, encodeFactor, levelCounts, subsetFactor, singletonMask, connectedComponents, absorbedDof, isNested, nonNestedDof } from './fe/factors.js';
export { type DemeanOptions, type DemeanInfo, demean } from './fe/demean.js';
export { autoThreads, warmThreads } from './fe/threads.js';
