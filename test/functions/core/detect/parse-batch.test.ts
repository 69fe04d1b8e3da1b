import { describe, expect, it } from 'vitest';
import { parseBatch } from '../../../../functions/core/detect/detect-batch';
import { batchOf, matchesFilter, reportLines } from '../../../support/subscription';

const filtered = (host: string) => reportLines(host).filter(matchesFilter);

describe('parseBatch', () => {
  it('observes each kill when the event holding its line was received', () => {
    const batch = batchOf(filtered('ip-10-0-1-5'), {
      logStream: 'i-0abc1234def567890',
      startMs: 1_000,
      stepMs: 10,
    });
    const observed = parseBatch(batch);
    expect(observed).toHaveLength(1);
    const [first] = observed;
    const event = batch.logEvents.find((e) => e.id === first?.kill.eventId);
    expect(event?.message).toContain('Killed process');
    expect(first?.observedAtMs).toBe(event?.timestamp);
  });

  it('still finds each event when a stream interleaves hosts and kills finish out of event order', () => {
    // Host a's report is queued first (its summary came first), so its kill is emitted before host b's, although
    // host b's kill line was received earlier: each kill must still carry its own event's time.
    const a = filtered('host-a');
    const b = filtered('host-b');
    const lines = [...a.slice(0, -1), ...b, ...a.slice(-1), ...b];
    const batch = batchOf(lines, { logStream: 'shared-stream', startMs: 5_000, stepMs: 1_000 });
    const observed = parseBatch(batch);
    expect(observed.length).toBeGreaterThanOrEqual(3);
    for (const { kill, observedAtMs } of observed) {
      expect(observedAtMs).toBe(batch.logEvents.find((e) => e.id === kill.eventId)?.timestamp);
    }
  });

  it('skips control messages', () => {
    const batch = {
      ...batchOf(filtered('h'), { logStream: 's', startMs: 1 }),
      messageType: 'CONTROL_MESSAGE' as const,
    };
    expect(parseBatch(batch)).toEqual([]);
  });
});
