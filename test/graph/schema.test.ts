import { describe, it, expect } from 'vitest';
import { workflowSchema } from '../../src/graph/schema.js';
import * as nodes from './fixtures/nodes.js';

describe('workflow JSON Schema', () => {
  const defs = Object.values(nodes) as any[];
  const schema = workflowSchema(defs) as any;
  const node = schema.properties.nodes.additionalProperties.anyOf[1];

  it('lists every node type for "uses"', () => {
    expect(node.properties.uses.enum).toEqual(defs.map((d) => d.type));
  });

  it('carries each node type params schema, accepting "$param" references too', () => {
    const scale = node.allOf.find((v: any) => v.if.properties.uses.const === 't-scale').then;
    expect(scale.properties.with.properties.delta).toEqual({
      anyOf: [{ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, { type: 'string', pattern: '^\\$[A-Za-z_][A-Za-z0-9_]*$' }],
    });
    expect(scale.properties.in.properties.x.description).toBe('(json)');
    const gather = node.allOf.find((v: any) => v.if.properties.uses.const === 't-gather').then;
    expect(gather.properties.in.properties.models.anyOf[1].type).toBe('array');
  });

  it('has the default output folder "out" (a path, or null for none)', () => {
    expect(schema.properties.out.type).toEqual(['string', 'null']);
    expect(schema.properties.out.description).toContain('--out DIR');
  });
});
