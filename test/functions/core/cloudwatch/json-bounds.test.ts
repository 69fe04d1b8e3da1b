import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonBoundProblem,
  MAX_JSON_DEPTH,
  maxContainersFor,
} from '../../../../functions/core/cloudwatch/json-bounds';

/** Depth and count of arrays and objects, from the parsed value: what the byte scan must agree with. */
function structureOf(value: unknown, depth = 0): { depth: number; containers: number } {
  if (typeof value !== 'object' || value === null) return { depth, containers: 0 };
  const children = Array.isArray(value) ? value : Object.values(value);
  let deepest = depth + 1;
  let containers = 1;
  for (const child of children) {
    const inner = structureOf(child, depth + 1);
    deepest = Math.max(deepest, inner.depth);
    containers += inner.containers;
  }
  return { depth: deepest, containers };
}

describe('jsonBoundProblem', () => {
  it('agrees with the parsed structure for any JSON, strings full of brackets and escapes included', () => {
    const text = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é', '\u2028') });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.constant(null),
        fc.array(tie('value')),
        fc.dictionary(text, tie('value')),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const bytes = Buffer.from(JSON.stringify(value));
        const { depth, containers } = structureOf(value);
        const problem = jsonBoundProblem(bytes, 4);
        if (depth > 4) expect(problem).toMatchObject({ bound: 'depth', reached: 5 });
        else if (containers > maxContainersFor(bytes.length)) expect(problem?.bound).toBe('containers');
        else expect(problem).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('stops at the first level past the bound, without reading the rest', () => {
    const deep = Buffer.from(`${'['.repeat(MAX_JSON_DEPTH + 1)}${'x'.repeat(1000)}`);
    expect(jsonBoundProblem(deep)).toEqual({
      bound: 'depth',
      reached: MAX_JSON_DEPTH + 1,
      limit: MAX_JSON_DEPTH,
    });
  });

  it('leaves an unterminated string to JSON.parse', () => {
    expect(jsonBoundProblem(Buffer.from('{"a":"[[[[[[[[[[[[[[[[[[[['))).toBeNull();
  });
});
