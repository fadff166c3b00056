// Port values <-> bytes, through the port-type registry (ports.ts). The engine's own types:
// tables as Arrow IPC (arquero, loaded only when a table is encoded or decoded) and JSON as
// canonical JSON (so equal values give byte-identical artifacts). jsonPortType() makes more
// JSON-stored types (src/ports/: model, report).
import { canonicalLenient } from './hash.js';
import { FlowError } from '../errors.js';
import { definePortType, portType, type PortType, type PortTypeSpec } from './ports.js';

let aqPromise: Promise<typeof import('arquero')> | undefined;
const arquero = () => (aqPromise ??= import('arquero'));

export const encode = (type: PortType, value: unknown): Promise<Uint8Array> => Promise.resolve(portType(type).encode(value));
export const decode = (type: PortType, bytes: Uint8Array): Promise<unknown> => Promise.resolve(portType(type).decode(bytes));
/** Checks the shape of a node's output before it is stored; returns a message or undefined. */
export const checkValue = (type: PortType, v: unknown): string | undefined => portType(type).check(v);
/** CSV/JSON text written by `flow run --out` for one output. */
export const exportText = (type: PortType, v: unknown) => Promise.resolve(portType(type).exportText(v));
/** Extra files of an output (a report's), by file name. */
export const exportFiles = (type: PortType, v: unknown): Record<string, string | Uint8Array> => portType(type).files?.(v) ?? {};

/** A port type stored as canonical JSON and exported as pretty JSON; `check` adds its own shape test. */
export function jsonPortType<T>(name: PortType, check: (v: unknown) => string | undefined, extra: Partial<PortTypeSpec<T>> = {}): PortTypeSpec<T> {
  return definePortType<T>({
    name,
    check: (v) => (v === undefined ? 'expected a JSON value, got undefined' : check(v)),
    encode: (v) => Buffer.from(canonicalLenient(v), 'utf8'),
    decode: (bytes) => JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')),
    exportText: (v) => ({ ext: 'json', text: JSON.stringify(v, null, 2) + '\n' }),
    ...extra,
  });
}

export const jsonPort = jsonPortType<unknown>('json', () => undefined);

export const tablePort = definePortType<{ toArrowIPC(): Uint8Array; toCSV(): string; numRows?(): number }>({
  name: 'table',
  check: (v) => (v && typeof (v as { toArrowIPC?: unknown }).toArrowIPC === 'function' ? undefined : 'expected an arquero table'),
  encode: (t) => {
    if (!t || typeof t.toArrowIPC !== 'function') throw new TypeError('expected an arquero table (an object with toArrowIPC)');
    // Arrow infers column types from the values, so a table without rows cannot be stored; no
    // node downstream could use it either: say so (the engine names the node that made it)
    if (typeof t.numRows === 'function' && t.numRows() === 0)
      throw new FlowError('data', 'its table has no rows (every row was removed, here or upstream); the nodes downstream need data: widen the selection that emptied it');
    return t.toArrowIPC();
  },
  decode: async (bytes) => plainColumns(await arquero(), bytes) as never,
  exportText: (t) => ({ ext: 'csv', text: t.toCSV().replace(/\n?$/, '\n') }),
});

const TYPED = [Float64Array, Float32Array, Int32Array, Int16Array, Int8Array, Uint32Array, Uint16Array, Uint8Array];

/**
 * A table from Arrow IPC whose numeric columns without nulls are plain typed arrays (views
 * of the bytes, no copy), as load-csv and the kernels make them. arquero's own Arrow-backed
 * columns answer `table.array()` / per-row reads by batch lookups: a node reading five
 * columns of a 1M-row table spent ~0.7 s there. Other columns (strings, dictionaries,
 * dates, columns with nulls) stay Arrow-backed. The values are the same either way.
 */
function plainColumns(aq: typeof import('arquero'), bytes: Uint8Array) {
  const t = aq.fromArrow(bytes);
  const names = t.columnNames();
  const cols: Record<string, unknown> = {};
  let typed = 0;
  for (const n of names) {
    const c = t.column(n) as unknown as { nullCount?: number; toArray?: () => unknown } | undefined;
    if (c && !ArrayBuffer.isView(c) && c.nullCount === 0 && typeof c.toArray === 'function') {
      const a = c.toArray();
      if (TYPED.some((T) => a instanceof T)) { cols[n] = a; typed++; continue; }
    }
    cols[n] = c;
  }
  return typed ? aq.table(cols as Record<string, ArrayLike<unknown>>, names) : t;
}
