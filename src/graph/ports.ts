// Port types: the kinds of value that flow between nodes, as an open registry. The engine
// only needs to know, per type, how to check a value a node returns, turn it into bytes (equal
// values -> identical bytes: the artifact hash is the value's identity), read it back, and
// write it to the out folder; what a value means is the business of the layer that defines the
// type. The engine defines `table` and `json` (codec.ts); src/ports/ defines the domain types
// (model, models, matrix, report). Whoever runs nodes registers the types they use first (the
// CLI imports src/ports/index.js; a worker thread imports the modules it is told).
import { FlowError } from '../errors.js';

export type PortType = string;

export interface PortTypeSpec<T = any> {
  name: PortType;
  /** undefined when v is a value of this type, else what is wrong with it */
  check(v: unknown): string | undefined;
  encode(v: T): Uint8Array | Promise<Uint8Array>;
  decode(bytes: Uint8Array): T | Promise<T>;
  /** the main file written to the out folder: its extension and text */
  exportText(v: T): { ext: string; text: string } | Promise<{ ext: string; text: string }>;
  /** further files written to the out folder, under <node>/ (a report's tables and pages;
   * bytes for binary files such as .docx) */
  files?(v: T): Record<string, string | Uint8Array>;
  /** URL of the module that defines it (imported by worker threads before they decode) */
  module?: string;
}

const registry = new Map<PortType, PortTypeSpec>();

/** Registers a port type; a second, different definition of a name is an error. */
export function definePortType<T>(spec: PortTypeSpec<T>): PortTypeSpec<T> {
  const had = registry.get(spec.name);
  if (had && had !== spec && had.module !== spec.module) throw new Error(`port type "${spec.name}" is defined twice (${had.module ?? 'engine'} and ${spec.module ?? 'engine'})`);
  if (!had) registry.set(spec.name, spec);
  return (registry.get(spec.name) ?? spec) as PortTypeSpec<T>;
}

export function portType(name: PortType): PortTypeSpec {
  const s = registry.get(name);
  if (!s) throw new FlowError('run', `port type "${name}" is not registered (known: ${[...registry.keys()].join(', ')}); the process that runs nodes must import the module that defines it (src/ports/index.ts for flow's own)`);
  return s;
}

/** Modules defining the registered port types (for worker threads). */
export const portModules = (): string[] => [...new Set([...registry.values()].flatMap((s) => (s.module ? [s.module] : [])))];
