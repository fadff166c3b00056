// Registers every node type. One import + one line per node file.
import { registerNode } from './registry.js';

const nodes = [
  // each helper adds its node definitions here
] as const;

for (const def of nodes) registerNode(def);

export { getNode, allNodes } from './registry.js';
