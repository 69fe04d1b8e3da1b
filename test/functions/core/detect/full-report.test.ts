import { describe, expect, it } from 'vitest';
import {
  ContextReadBudget,
  ContextReadRefusedError,
  DEFAULT_CONTEXT_READ_LIMITS,
} from '../../../../functions/core/detect/context-budget';
import { parseBatch } from '../../../../functions/core/detect/detect-batch';
import { withFullReports } from '../../../../functions/core/detect/full-report';
import type { LogContextReader } from '../../../../functions/core/detect/ports';
import { recordingTelemetry } from '../../../support/subscription';
import { killSeries, reportAround } from '../../detect/kill-series';

const T0 = Date.parse('2026-11-25T17:30:50Z');
const CONFIG = { contextBeforeMs: 15_000, contextAfterMs: 5_000, cooldownMs: 15 * 60_000 };
const stream = 'i-0abc1234def567890';

/** A reader over a stream holding each kill's whole report, that refuses past `maxReads` as a spent budget does. */
function streamReader(maxReads: number): LogContextReader & { reads: number } {
  const reader = {
    reads: 0,
    async readWindow(request: { startMs: number; endMs: number; coverMs: number }) {
      if (reader.reads >= maxReads) throw new ContextReadRefusedError('budget', 'spent');
      reader.reads++;
      return reportAround(request.coverMs, Math.round((request.coverMs - T0) / 60_000));
    },
  };
  return reader;
}

describe('withFullReports', () => {
  it('rebuilds the reports it may read, oldest first, and notes the kills past the budget', async () => {
    // Four kills a minute apart: four windows, of which the budget lets two be read.
    const kills = parseBatch(killSeries(4, { logStream: stream, startMs: T0, stepMs: 60_000 }));
    const reader = streamReader(2);
    const telemetry = recordingTelemetry();
    const rebuilt = await withFullReports(kills, reader, CONFIG, telemetry);
    expect(reader.reads).toBe(2);
    expect(rebuilt.map((k) => k.kill.tasks.length > 0)).toEqual([true, true, false, false]);
    expect(rebuilt.map((k) => k.reportGap?.reason ?? null)).toEqual([null, null, 'budget', 'budget']);
    // Recorded from its own lines: the kill line's facts are all there.
    expect(rebuilt[3]?.kill).toMatchObject({
      pid: 10_003,
      process: 'python3',
      constraint: 'CONSTRAINT_MEMCG',
    });
    expect(telemetry.counts.get('ContextFetchFailures')).toBe(2);
  });

  it('reads first the windows of kills that open incidents, whose reports their messages show', async () => {
    // Kills a minute apart for 40 minutes: with a 15-minute cooldown, kills 0, 15 and 30 open incidents.
    const kills = parseBatch(killSeries(40, { logStream: stream, startMs: T0, stepMs: 60_000 }));
    const rebuilt = await withFullReports(kills, streamReader(3), CONFIG, recordingTelemetry());
    const read = rebuilt.flatMap((k, i) => (k.reportGap ? [] : [i]));
    expect(read).toEqual([0, 15, 30]);
  });

  it('tries no other window once a read failed: each kill is noted with the failure', async () => {
    const kills = parseBatch(killSeries(50, { logStream: stream, startMs: T0, stepMs: 60_000 }));
    let reads = 0;
    const throttled: LogContextReader = {
      readWindow: async () => {
        reads++;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
    };
    const rebuilt = await withFullReports(kills, throttled, CONFIG, recordingTelemetry());
    expect(reads).toBe(1);
    expect(new Set(rebuilt.map((k) => JSON.stringify(k.reportGap)))).toEqual(
      new Set([JSON.stringify({ reason: 'failed', detail: 'ThrottlingException: Rate exceeded' })]),
    );
  });

  it('notes nothing when every report was read', async () => {
    const kills = parseBatch(killSeries(3, { logStream: stream, startMs: T0, stepMs: 60_000 }));
    const rebuilt = await withFullReports(kills, streamReader(10), CONFIG, recordingTelemetry());
    expect(rebuilt.every((k) => k.reportGap === undefined && k.kill.tasks.length > 0)).toBe(true);
  });
});

describe('ContextReadBudget', () => {
  it('gives each call a signal and refuses past its calls', () => {
    const budget = new ContextReadBudget({ ...DEFAULT_CONTEXT_READ_LIMITS, maxCalls: 2 }, () => 60_000);
    expect(budget.take()).toMatchObject({ timeoutMs: 5_000, deadlineBound: false });
    expect(budget.take().signal.aborted).toBe(false);
    expect(() => budget.take()).toThrowError(expect.objectContaining({ reason: 'budget', retryable: false }));
    expect(budget.used).toBe(2);
  });

  it('keeps the reserve before the deadline: shortens a call near it, refuses one past it', () => {
    let remaining = 22_000;
    const budget = new ContextReadBudget(DEFAULT_CONTEXT_READ_LIMITS, () => remaining);
    expect(budget.take()).toMatchObject({ timeoutMs: 2_000, deadlineBound: true });
    remaining = 20_000;
    expect(() => budget.take()).toThrowError(expect.objectContaining({ reason: 'deadline' }));
    expect(budget.used).toBe(1);
  });
});
