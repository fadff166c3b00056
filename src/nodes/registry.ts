// The catalogue of node types, keyed by type name. Refuses duplicates.
import type { NodeDef } from '../graph/node.js';

const registry = new Map<string, NodeDef<any>>();

export function registerNode(def: NodeDef<any>): void {
  if (registry.has(def.type)) throw new Error(`node type "${def.type}" is registered twice`);
  registry.set(def.type, def);
}

export function getNode(type: string): NodeDef<any> | undefined {
  return registry.get(type);
}

export function allNodes(): NodeDef<any>[] {
  return [...registry.values()].sort((a, b) => a.type.localeCompare(b.type));
}
