// Node `load-csv`: a CSV file as a table. Numbers land in Float64Array columns (NaN for
// empty / NA cells), text in string arrays; `columns` fixes the type of named columns.
import { z } from 'zod';
import * as aq from 'arquero';
import { defineNode } from '../graph/node.js';
import { parseCsv, readShared } from '../io/csv.js';
import { dataError } from '../errors.js';
import { decodeText, ENCODINGS } from '../io/decode.js';

export const loadCsvParams = z.object({
  path: z.string().min(1).describe('CSV file, relative to the workflow file'),
  columns: z.record(z.string(), z.enum(['number', 'string'])).optional()
    .describe('types of named columns ("number": a non-numeric cell is an error naming it; "string": kept as text); others are inferred'),
  delimiter: z.string().length(1).default(','),
  encoding: z.enum(ENCODINGS).optional()
    .describe('utf-8 (a BOM is skipped), utf-8-bom, gbk or gb18030; not given: UTF-8 when the bytes are valid UTF-8, else GB18030 (contains GBK); a file that does not decode is an error naming the line'),
}).strict();

export type LoadCsvParams = z.infer<typeof loadCsvParams>;

/** Read and parse a CSV file into an arquero table; `read` gives the file's bytes (default: readShared). */
export function loadCsvTable(absPath: string, params: Pick<LoadCsvParams, 'columns' | 'delimiter'> & { encoding?: LoadCsvParams['encoding'] }, displayPath = absPath, read: (abs: string) => Uint8Array = readShared) {
  let buf: Uint8Array;
  try {
    buf = read(absPath); // shared memory: a large file is parsed on two threads
  } catch (e) {
    throw dataError(`cannot read ${displayPath}: ${(e as Error).message}; check "path" (it is relative to the workflow file)`);
  }
  buf = decodeText(buf, params.encoding, displayPath).bytes; // UTF-8 bytes are passed on as they are
  const data = parseCsv(buf, { file: displayPath, types: params.columns, delimiter: params.delimiter });
  // no rows: plain empty columns (arquero cannot encode an empty Float64Array column)
  const columns = data.nRows > 0 ? data.columns : Object.fromEntries(data.names.map((nm) => [nm, []]));
  const table = aq.table(columns as Record<string, ArrayLike<unknown>>, data.names); // names: "2006", "2007" keep the header's order
  if (data.ipc) knowsItsBytes(table, data.ipc);
  return table;
}

/**
 * An all-numeric file's columns were parsed into their Arrow IPC stream (io/arrow-layout.ts):
 * toArrowIPC() without options (what the cache stores) returns those bytes instead of
 * gathering the columns into new ones. Only this table instance: verbs make new tables.
 */
function knowsItsBytes(table: aq.ColumnTable, ipc: Uint8Array): void {
  const own = table.toArrowIPC.bind(table);
  Object.defineProperty(table, 'toArrowIPC', { value: (o?: Parameters<typeof own>[0]) => (o === undefined ? ipc : own(o)) });
}

export const loadCsv = defineNode({
  type: 'load-csv',
  version: 2, // 2: decodes GBK / checks UTF-8 (a GBK file used to be read as garbled UTF-8)
  description: 'Load a CSV file as a table (numeric columns as Float64Array, empty/NA as NaN)',
  params: loadCsvParams,
  inputs: {},
  outputs: { table: { type: 'table' } },
  files: (p) => [p.path],
  run({ params, resolvePath, readFile }) {
    // ctx.readFile: the bytes the engine already read to hash the file, when it did
    return { table: loadCsvTable(resolvePath(params.path), params, params.path, readFile ? () => readFile(params.path) : readShared) };
  },
});
