// Limits on the JSON a user hands flow (workflow files, --set values), checked once right
// after parsing, iteratively (an explicit stack: a file nested 100,000 deep must give a
// message, not overflow the call stack of the recursive code that walks params later).
// JSON.parse itself reads "1e999" as Infinity; no param means that, so it is refused here
// with the field it is in.

/** Deepest nesting of objects/lists accepted (paper.json needs 4). */
export const MAX_JSON_DEPTH = 64;

const SHOWN_LEVELS = 6;

export interface JsonProblem { path: string; message: string }

/** The first problem of a parsed JSON value: too deep, or a number that is not finite. */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v))
      return { path, message: 'a number too large for a 64-bit float (it would be Infinity); write a finite number' };
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return { path, message: `nested more than ${maxDepth} levels deep; flow reads at most ${maxDepth} levels of lists and objects` };
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    // the field named in a message: its first levels, then "..." (not 100,000 segments)
    const child = (k: string) => (depth >= SHOWN_LEVELS ? (path.endsWith('...') ? path : `${path}...`) : path ? `${path}.${k}` : k);
    for (const [k, x] of entries) stack.push({ v: x, path: child(k), depth: depth + 1 });
  }
  return undefined;
}
