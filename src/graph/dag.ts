// The plan graph, through graphology: topological order and cycle detection (graphology-dag),
// ancestors and descendants (graphology's neighbour iteration). Edges run from a node to the
// nodes that read its outputs. Only planning, --only, explain and provenance need it: a warm
// run from a cached plan never builds one.
import { DirectedGraph } from 'graphology';
import { hasCycle, topologicalSort } from 'graphology-dag';

/** A graph of `ids`, with an edge u -> v for every u in upstream(v) (unknown ids are ignored). */
export function graphOf(ids: Iterable<string>, upstream: (id: string) => Iterable<string>): DirectedGraph {
  const g = new DirectedGraph();
  for (const id of ids) g.addNode(id);
  for (const id of g.nodes()) for (const u of upstream(id)) if (g.hasNode(u)) g.mergeEdge(u, id);
  return g;
}

/** Every node after all of its inputs (Kahn's order: sources first, in insertion order). Throws on a cycle. */
export function topoOrder(g: DirectedGraph): string[] {
  return topologicalSort(g);
}

/** One cycle, as a path that ends where it starts (a -> b -> a), or undefined when the graph is acyclic. */
export function findCycle(g: DirectedGraph): string[] | undefined {
  if (!hasCycle(g)) return undefined;
  // graphology-dag says whether, not where: follow edges depth-first until a node on the path repeats
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 2) return undefined;
    if (state.get(id) === 1) return [...path.slice(path.indexOf(id)), id];
    state.set(id, 1); path.push(id);
    for (const v of g.outNeighbors(id)) { const c = visit(v); if (c) return c; }
    path.pop(); state.set(id, 2);
    return undefined;
  };
  for (const id of g.nodes()) { const c = visit(id); if (c) return c; }
  return undefined;
}

const walk = (g: DirectedGraph, ids: Iterable<string>, next: (id: string) => string[]): Set<string> => {
  const out = new Set<string>();
  const stack = [...ids];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...next(id));
  }
  return out;
};

/** `ids` and every node they depend on, directly or not. */
export const ancestors = (g: DirectedGraph, ids: Iterable<string>) => walk(g, ids, (id) => g.inNeighbors(id));

/** `ids` and every node that depends on them, directly or not. */
export const descendants = (g: DirectedGraph, ids: Iterable<string>) => walk(g, ids, (id) => g.outNeighbors(id));
