// Runs a node definition directly (the engine is not needed): parse params, call run.
import type { NodeDef } from '../../src/graph/node.js';

export async function runNode(def: NodeDef<any>, params: unknown, inputs: Record<string, unknown>): Promise<Record<string, any>> {
  return await def.run({ params: def.params.parse(params), inputs, resolvePath: (p: string) => p, nodeId: 'x' });
}
