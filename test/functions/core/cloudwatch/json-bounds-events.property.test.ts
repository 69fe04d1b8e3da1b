import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBoundProblem, maxContainersFor } from '../../../../functions/core/cloudwatch/json-bounds';

/** Depth and count of arrays and objects of a parsed value: what the scan must agree with. */
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

const text = fc.string({
  unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', 'a', '1', 'é', '\u2028'),
});
/** Log events as CloudWatch Logs writes them, and near misses: other key orders, types, extra or nested fields. */
const eventArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ id: text, timestamp: fc.nat(), message: text }) },
  fc.record({
    id: fc.oneof(text, fc.nat(), fc.constant(null)),
    timestamp: fc.oneof(fc.integer(), fc.double(), text),
    message: fc.oneof(text, fc.array(text)),
  }),
  fc.record({ id: text, message: text, timestamp: fc.nat() }),
  fc.record({ id: text, timestamp: fc.nat(), message: text, extra: fc.array(fc.array(text)) }),
  fc.array(fc.array(fc.array(text))),
);

describe('jsonBoundProblem on subscription batches, log events stepped over whole', () => {
  it('agrees with the parsed structure, whatever the events hold', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 12 }),
        fc.integer({ min: 2, max: 6 }),
        fc.nat({ max: 40 }),
        (events, maxDepth, spare) => {
          const bytes = Buffer.from(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: events }));
          const { depth, containers } = structureOf(JSON.parse(bytes.toString('utf8')));
          const maxContainers = Math.min(maxContainersFor(bytes.length), containers - 1 + (spare % 3));
          const problem = jsonBoundProblem(bytes, maxDepth, maxContainers);
          // The first bound passed in document order is reported: check the verdict and the kind when only one is.
          if (depth <= maxDepth && containers <= maxContainers) expect(problem).toBeNull();
          else expect(problem).not.toBeNull();
          if (depth > maxDepth && containers <= maxContainers)
            expect(problem).toEqual({ bound: 'depth', reached: maxDepth + 1, limit: maxDepth });
          if (depth <= maxDepth && containers > maxContainers)
            expect(problem).toEqual({
              bound: 'containers',
              reached: maxContainers + 1,
              limit: maxContainers,
            });
        },
      ),
      { numRuns: 5000 },
    );
  });
});
