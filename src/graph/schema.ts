// The JSON Schema of workflow files, generated from the node catalogue (each node
// type's zod params schema), so editors can complete and check `with` blocks.
import { z } from 'zod';
import type { NodeDef } from './node.js';

export function workflowSchema(nodes: NodeDef<any>[]): Record<string, unknown> {
  const ref = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)?(\\[\\*\\])?$' };
  const variants = nodes.map((d) => {
    let params: any;
    try { params = z.toJSONSchema(d.params, { io: 'input', unrepresentable: 'any' }); } catch { params = { type: 'object' }; }
    delete params.$schema;
    // any param may instead be a "$name" reference to a workflow param
    return {
      if: { properties: { uses: { const: d.type } }, required: ['uses'] },
      then: {
        description: d.description,
        properties: {
          with: allowRefs(params),
          in: {
            type: 'object', additionalProperties: false,
            properties: Object.fromEntries(Object.entries(d.inputs).map(([p, s]) => [p, {
              description: `${s.description ?? ''} (${[s.type].flat().join(' | ')}${s.many ? ', many' : ''})`.trim(),
              ...(s.many ? { anyOf: [ref, { type: 'array', items: ref }] } : ref),
            }])),
          },
        },
      },
    };
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://flow.local/schema/workflow.schema.json',
    title: 'flow workflow',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      description: { type: 'string' },
      extends: { type: 'string', description: 'base workflow (path relative to this file): params override, nodes add or replace (null removes)' },
      plugins: { type: 'array', items: { type: 'string' }, description: 'JS modules exporting extra node types (paths relative to this file)' },
      out: {
        type: ['string', 'null'], minLength: 1,
        description: 'default output folder (relative to this file, inside the project): `flow run` writes every table, model and report there (`--out DIR` overrides, `--no-out` skips). A branch that extends a workflow without setting `out` writes to a sibling of its base\'s folder named after its own file; null: no default folder',
      },
      params: { type: 'object', description: 'named values, referenced in `with` as "$name" or inside strings as "${name}"' },
      matrix: { type: 'object', additionalProperties: { type: 'array', minItems: 1 }, description: 'param -> values: one branch per combination' },
      nodes: {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' },
        additionalProperties: {
          anyOf: [{ type: 'null' }, {
            type: 'object',
            required: ['uses'],
            additionalProperties: false,
            properties: {
              uses: { enum: nodes.map((d) => d.type) },
              description: { type: 'string' },
              with: { type: 'object' },
              in: { type: 'object' },
            },
            allOf: variants,
          }],
        },
      },
    },
  };
}

const PARAM_REF = { type: 'string', pattern: '^\\$[A-Za-z_][A-Za-z0-9_]*$' };

function allowRefs(s: any): any {
  if (!s || typeof s !== 'object') return s;
  if (s.type === 'object' && s.properties) {
    return { ...s, properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, allowRefs(v)])) };
  }
  return { anyOf: [s, PARAM_REF] };
}
