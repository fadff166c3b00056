// flow's domain port types (model, models, matrix, report), registered with the engine's
// port-type registry (graph/ports.ts) on import. The engine itself defines table and json.
export { modelPort, modelsPort, type ModelJson } from './model.js';
export { matrixPort, matrixRows, denseData, denseToRows, matrixNnz, type IdMatrix, type SparseRows } from './weights.js';
export { reportPort, type Report } from './report.js';
