// Turns zod issues into messages a user can act on: "expected a number in (0, 1), got -0.1".
// The expectation is read from the JSON Schema of the param at the issue's path, so the
// message says the whole constraint, not only the bound that failed.
// zod is loaded on demand (loadZod, awaited when a workflow is validated): a warm run
// from a cached plan never needs it.
import type { z } from 'zod';
import { canonical } from './hash.js';
import { own, has } from './own.js';
import { limitNamed, raiseHint } from './limits.js';

const schemas = new WeakMap<object, any>();
let toJSONSchema: typeof z.toJSONSchema | undefined;
export async function loadZod(): Promise<void> { toJSONSchema ??= (await import('zod')).z.toJSONSchema; }

function jsonSchema(s: z.ZodType): any {
  let js = schemas.get(s);
  if (!js) {
    try { js = toJSONSchema!(s, { io: 'input', unrepresentable: 'any' }); } catch { js = {}; }
    schemas.set(s, js);
  }
  return js;
}

function at(js: any, path: PropertyKey[]): any {
  let cur = js;
  for (const k of path) {
    if (!cur) return undefined;
    if (cur.anyOf) cur = cur.anyOf.find((x: any) => x.type === 'object' || x.type === 'array') ?? cur.anyOf[0];
    cur = typeof k === 'number' ? (cur.prefixItems?.[k] ?? cur.items) : own(cur.properties, k as string) ?? (typeof cur.additionalProperties === 'object' ? cur.additionalProperties : undefined);
  }
  return cur;
}

const MAXSAFE = Number.MAX_SAFE_INTEGER;

export function describe(js: any): string {
  if (!js || typeof js !== 'object') return 'a valid value';
  if (js.const !== undefined) return JSON.stringify(js.const);
  if (js.enum) return `one of ${js.enum.map((x: unknown) => JSON.stringify(x)).join(', ')}`;
  if (js.anyOf || js.oneOf) return (js.anyOf ?? js.oneOf).map(describe).join(' or ');
  if (Array.isArray(js.type)) return js.type.map((t: unknown) => describe({ ...js, type: t })).join(' or '); // ["string", "null"]
  switch (js.type) {
    case 'number': case 'integer': {
      const what = js.type === 'integer' ? 'an integer' : 'a number';
      const lo = js.exclusiveMinimum ?? js.minimum, hi = js.exclusiveMaximum ?? js.maximum;
      const hasLo = lo !== undefined && lo > -MAXSAFE, hasHi = hi !== undefined && hi < MAXSAFE;
      if (hasLo && hasHi) return `${what} in ${js.exclusiveMinimum !== undefined ? '(' : '['}${lo}, ${hi}${js.exclusiveMaximum !== undefined ? ')' : ']'}`;
      if (hasLo) return `${what} ${js.exclusiveMinimum !== undefined ? '>' : '>='} ${lo}`;
      if (hasHi) return `${what} ${js.exclusiveMaximum !== undefined ? '<' : '<='} ${hi}`;
      return what;
    }
    case 'string': return js.pattern ? `a string matching ${js.pattern}` : js.minLength ? `a non-empty string` : 'a string';
    case 'boolean': return 'true or false';
    case 'array': {
      const it = js.items;
      if (!it) return 'a list';
      const simple: Record<string, string> = { string: 'strings', number: 'numbers', integer: 'integers', boolean: 'booleans' };
      if (simple[it.type] && !it.enum && !it.minimum && !it.exclusiveMinimum) return `a list of ${simple[it.type]}`;
      if (it.type === 'object') return `a list of objects${it.properties ? ` with ${Object.keys(it.properties).join(', ')}` : ''}`;
      return `a list of (${describe(it)})`;
    }
    case 'object': return js.properties ? `an object with ${Object.keys(js.properties).join(', ')}` : 'an object';
    case 'null': return 'null';
    default: return 'a valid value';
  }
}

function get(v: unknown, path: PropertyKey[]): unknown {
  let cur: any = v;
  for (const k of path) cur = cur == null || typeof cur !== 'object' ? undefined : typeof k === 'number' ? cur[k] : own(cur, String(k));
  return cur;
}

const shown = (v: unknown) => {
  if (v === undefined) return 'nothing';
  let s: string;
  try { s = canonical(v); } catch { s = String(v); }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
};

/** One [field path, message] per issue, the path relative to the node's `with`. */
export function paramIssues(schema: z.ZodType, value: unknown, issues: z.core.$ZodIssue[]): [string, string][] {
  const out: [string, string][] = [];
  for (const iss of issues) {
    const path = iss.path as PropertyKey[];
    const field = path.map(String).join('.');
    if (iss.code === 'unrecognized_keys') {
      for (const k of iss.keys) out.push([[field, k].filter(Boolean).join('.'), `unknown param; known: ${Object.keys(at(jsonSchema(schema), path)?.properties ?? {}).join(', ')}`]);
      continue;
    }
    const got = get(value, path);
    if (iss.code === 'custom') { out.push([field, `${iss.message}, got ${shown(got)}`]); continue; }
    const js = at(jsonSchema(schema), path);
    const exp = describe(js);
    const lim = iss.code === 'too_big' ? limitNamed(js?.limit) : undefined;
    out.push([field, got === undefined ? `missing: expected ${exp}` : `expected ${exp}, got ${shown(got)}${lim ? `; ${raiseHint(lim, Number(got))}` : ''}`]);
  }
  return out;
}

/** Top-level keys a (non-loose) object schema does not know: typos that zod would silently strip. */
export function unknownKeys(schema: z.ZodType, value: Record<string, unknown>): string[] {
  const d = (schema as any)?._zod?.def;
  if (!d || d.type !== 'object' || d.catchall) return [];
  const shape = (schema as any).shape as Record<string, unknown>;
  return Object.keys(value).filter((k) => !has(shape, k));
}
