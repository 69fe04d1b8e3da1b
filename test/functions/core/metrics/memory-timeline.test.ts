import { describe, expect, it } from 'vitest';
import { describeMemoryTimeline } from '../../../../functions/core/metrics/memory-timeline';
import { sparkline } from '../../../../functions/core/metrics/sparkline';
import { hourWindow } from '../../../support/memory-hour';

const INSTANCE = 'i-0a1b2c3d4e5f60789';
/** The window's first minute; the kill is in its last (minute 59). */
const FROM = Date.parse('2026-11-25T17:29:00Z');
const MINUTE = 60_000;
const KILL_AT = new Date(FROM + 59 * MINUTE + 15_000);
const minute = (n: number) => new Date(FROM + n * MINUTE).toISOString();

function timelineOf(
  available: readonly (number | null)[],
  options: { swap?: readonly (number | null)[]; readAt?: Date; threshold?: number | null } = {},
) {
  const window = hourWindow({
    instanceId: INSTANCE,
    fromMs: FROM,
    killAt: KILL_AT,
    available,
    ...(options.swap ? { swap: options.swap } : {}),
    ...(options.readAt ? { readAt: options.readAt } : {}),
    ...(options.threshold === undefined ? {} : { thresholdPercent: options.threshold }),
  });
  return { window, timeline: describeMemoryTimeline(window) };
}

const hour = (f: (i: number) => number | null) => Array.from({ length: 60 }, (_, i) => f(i));

describe('describeMemoryTimeline', () => {
  it('states the fall from the last highest point to the lowest, with its minutes', () => {
    // 38 % until minute 7, then down by 36/52 points a minute: 2 % at minute 59, 52 minutes later.
    const values = hour((i) => (i <= 7 ? 38 : 38 - ((i - 7) * 36) / 52));
    const { window, timeline } = timelineOf(values);
    expect(window.available).toHaveLength(60);
    expect(timeline?.first).toEqual({ at: minute(0), value: 38 });
    expect(timeline?.lowest).toEqual({ at: minute(59), value: 2 });
    expect(timeline?.last).toEqual({ at: minute(59), value: 2 });
    expect(timeline?.fall).toEqual({
      from: { at: minute(7), value: 38 },
      to: { at: minute(59), value: 2 },
      minutes: 52,
    });
    expect(timeline?.points).toBe(60);
    expect(timeline?.gaps).toEqual([]);
  });

  it('keeps values to one decimal, so the state stays small', () => {
    const { window } = timelineOf(hour((i) => 40 - i / 3));
    expect(window.available[1]).toBe(39.7);
    expect(window.available[2]).toBe(39.3);
    expect(JSON.stringify(window).length).toBeLessThan(800);
  });

  it('says nothing fell when it held within a few points', () => {
    const { timeline } = timelineOf(hour((i) => 55 + (i % 3)));
    expect(timeline?.fall).toBeNull();
    expect(timeline?.lowest.value).toBe(55);
    expect(timeline?.crossing).toEqual({ thresholdPercent: 10, state: 'never', at: null });
  });

  it('finds the minute available memory reached the early-warning threshold', () => {
    // 30 % falling by 0.5 a minute: 10 % (at or below the threshold, as the alarm counts) at minute 40.
    const { timeline } = timelineOf(hour((i) => 30 - i / 2));
    expect(timeline?.crossing).toEqual({ thresholdPercent: 10, state: 'crossed', at: minute(40) });
  });

  it('says when it was below the threshold from the first point, and nothing without a threshold', () => {
    expect(timelineOf(hour(() => 6)).timeline?.crossing?.state).toBe('below-all-hour');
    expect(
      timelineOf(
        hour(() => 6),
        { threshold: null },
      ).timeline?.crossing,
    ).toBeNull();
  });

  it('tells a gap in the middle from the agent going silent before the kill', () => {
    const values = hour((i) => ((i >= 30 && i < 35) || i >= 55 ? null : 20));
    const { timeline } = timelineOf(values);
    expect(timeline?.gaps).toEqual([
      { from: minute(30), minutes: 5, untilKill: false },
      { from: minute(55), minutes: 5, untilKill: true },
    ]);
    expect(timeline?.last).toEqual({ at: minute(54), value: 20 });
    expect(timeline?.points).toBe(50);
  });

  it('counts one missing minute, or silence before the agent started, as no gap', () => {
    const values = hour((i) => (i === 20 || i < 10 ? null : 50));
    const { timeline } = timelineOf(values);
    expect(timeline?.gaps).toEqual([]);
    expect(timeline?.first.at).toBe(minute(10));
  });

  it('reads the last minutes as not published yet, not as a gap, when read right after the kill', () => {
    const values = hour((i) => (i >= 57 ? null : 20));
    const { timeline } = timelineOf(values, { readAt: new Date(KILL_AT.getTime() + 30_000) });
    // Read at minute 59 + 45 s: the minutes ending less than 3 min before are minutes 56 to 59; 57 to 59 are empty.
    expect(timeline?.pendingMinutes).toBe(3);
    expect(timeline?.gaps).toEqual([]);
    // Points that did arrive early are no pending minutes.
    const early = timelineOf(
      hour(() => 20),
      { readAt: new Date(KILL_AT.getTime() + 30_000) },
    );
    expect(early.timeline?.pendingMinutes).toBe(0);
  });

  it('reports swap use rising', () => {
    const { timeline } = timelineOf(
      hour(() => 30),
      { swap: hour((i) => (i < 20 ? 0 : (i - 20) * 1.5)) },
    );
    expect(timeline?.swap).toEqual({
      first: { at: minute(0), value: 0 },
      highest: { at: minute(59), value: 58.5 },
      last: { at: minute(59), value: 58.5 },
    });
  });

  it('has no swap figures when the agent sent none', () => {
    expect(timelineOf(hour(() => 30)).timeline?.swap).toBeNull();
  });

  it('has nothing to describe without a point of available memory', () => {
    expect(
      timelineOf(
        hour(() => null),
        { swap: hour(() => 3) },
      ).timeline,
    ).toBeNull();
  });

  it('draws one block per 5 minutes, each bucket its lowest point, on a fixed 0-100 scale', () => {
    // Bucket k holds 100 - 8.5 k (its lowest point) for k < 11, then a bucket with no point at all.
    const values = hour((i) => {
      const bucket = Math.floor(i / 5);
      if (bucket === 11) return null;
      return 100 - 8.5 * bucket + (i % 5 === 2 ? 0 : 3);
    });
    const { timeline } = timelineOf(values);
    const expected = Array.from(
      { length: 11 },
      (_, k) => '▁▂▃▄▅▆▇█'[Math.floor((100 - 8.5 * k) / 12.5)] ?? '█',
    );
    expect(timeline?.sparkline).toBe(`${expected.join('')}·`);
    expect(timeline?.sparkline).toHaveLength(12);
  });
});

describe('sparkline', () => {
  it('puts 0 % on the lowest block and 100 % on the highest, clamping outside', () => {
    expect(sparkline([0, 12.4, 12.5, 50, 87.5, 100, 130, -4, null], 1)).toBe('▁▁▂▅███▁·');
  });
});
