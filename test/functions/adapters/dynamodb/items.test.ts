import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incidentFromItem, incidentItem, keys } from '../../../../functions/adapters/dynamodb/items';
import { EmptyKeyValueError } from '../../../../functions/adapters/key-values';
import type { RecordedAction } from '../../../../functions/core/detect/ports';
import { emptyKeyAttributes } from '../../../support/incident-table';
import { realKill, recordRequest } from '../../../support/kills';

const T0 = Date.parse('2026-11-25T16:58:01Z');

/** Any string, the empty one often (fast-check draws it, but rarely among long strings). */
const anyString = fc.oneof(fc.constant(''), fc.string(), fc.string({ unit: 'grapheme', minLength: 1 }));

/** Calls a builder; its key attributes, or the part it refused. */
function build(builder: () => Record<string, unknown>): Record<string, unknown> | EmptyKeyValueError {
  try {
    return builder();
  } catch (error) {
    if (error instanceof EmptyKeyValueError) return error;
    throw error;
  }
}

describe('the item key builders', () => {
  it('never build an empty key attribute, and refuse exactly the empty ids', () => {
    const builders: [string, number, (...args: string[]) => Record<string, unknown>, number[]][] = [
      // name, arity, builder, which arguments are ids (an empty one must be refused)
      ['kill', 1, (k) => keys.kill(k), [0]],
      ['open', 1, (i) => keys.open(i), [0]],
      ['incident', 1, (i) => keys.incident(i), [0]],
      ['actionsPartition', 1, (i) => keys.actionsPartition(i), [0]],
      [
        'action',
        4,
        (i, at, action, incidentId) =>
          keys.action(i, { at, action: action as RecordedAction['action'], incidentId }),
        [0, 3],
      ],
      ['historyPartition', 2, (i, p) => keys.historyPartition(i, p), [0]],
      ['history', 4, (i, p, t, k) => keys.history(i, p, t, k), [0, 3]],
      ['stormPartition', 1, (w) => keys.stormPartition(w), [0]],
      ['storm', 3, (w, at, incidentId) => keys.storm(w, at, incidentId), [0, 2]],
    ];
    for (const [name, arity, builder, ids] of builders) {
      fc.assert(
        fc.property(fc.array(anyString, { minLength: arity, maxLength: arity }), (args) => {
          const result = build(() => builder(...args));
          const refuses = ids.some((i) => args[i] === '');
          expect(result instanceof EmptyKeyValueError, `${name}(${JSON.stringify(args)})`).toBe(refuses);
          if (!(result instanceof EmptyKeyValueError)) expect(emptyKeyAttributes(result)).toEqual([]);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('name a partition alone for a whole-partition query, never a sort key of ""', () => {
    expect(keys.stormPartition('2026-11-25T16:55:00.000Z')).toEqual({
      gsi1pk: 'STORM#2026-11-25T16:55:00.000Z',
    });
    expect(keys.historyPartition('i-0123456789abcdef0', 'java')).toEqual({
      gsi1pk: 'HISTORY#i-0123456789abcdef0#java',
    });
    expect(keys.actionsPartition('i-0123456789abcdef0')).toEqual({ pk: 'ACTIONS#i-0123456789abcdef0' });
  });

  it('refuse an incident item whose id is empty, and key any other one', () => {
    const { incident, instanceKey, expiresAt } = recordRequest('i-0123456789abcdef0', [
      { kill: realKill(), observedAtMs: T0 },
    ]);
    fc.assert(
      fc.property(anyString, (incidentId) => {
        const result = build(() => incidentItem({ ...incident, id: incidentId }, instanceKey, expiresAt));
        expect(result instanceof EmptyKeyValueError).toBe(incidentId === '');
        if (!(result instanceof EmptyKeyValueError)) expect(emptyKeyAttributes(result)).toEqual([]);
      }),
    );
  });
});

describe('an incident item recorded before kills carried the memory breakdown', () => {
  it('reads the fields it lacks as not printed, and keeps the ones it has', () => {
    const { incident, instanceKey, expiresAt } = recordRequest('i-0123456789abcdef0', [
      { kill: realKill(), observedAtMs: T0 },
    ]);
    const item = incidentItem(incident, instanceKey, expiresAt);
    const document = JSON.parse(String(item.document)) as { firstKill: Record<string, unknown> };
    const { memcgStats, memInfo, oomGroupMemcg, kmemUsageKb, ...older } = document.firstKill;
    expect(kmemUsageKb).toBe(180); // the sd-pam report's `kmem: usage 180kB`, which the older item lacks
    const read = incidentFromItem({ ...item, document: JSON.stringify({ ...document, firstKill: older }) });
    expect(read.firstKill.memcgStats).toBeNull();
    expect(read.firstKill.memInfo).toBeNull();
    expect(read.firstKill.oomGroupMemcg).toBeNull();
    expect(read.firstKill.kmemUsageKb).toBeNull();
    expect(read.firstKill.memswLimitKb).toBe(older.memswLimitKb);
    expect(incidentFromItem(item).firstKill.memcgStats).toEqual(memcgStats);
  });
});
